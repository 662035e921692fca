using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// The service-account signing key and the public keys tokens are verified with (upstream's
/// <c>--service-account-signing-key-file</c> and <c>--service-account-key-file</c>). Every key carries upstream's
/// <c>kid</c>: the unpadded base64url SHA-256 of the DER SubjectPublicKeyInfo.
/// </summary>
public sealed class ServiceAccountKeys : IDisposable
{
    /// <summary>The private key file created in the PKI directory when no signing key is given.</summary>
    public const string DefaultKeyFile = "sa.key";

    /// <summary>The public half of <see cref="DefaultKeyFile"/>.</summary>
    public const string DefaultPublicKeyFile = "sa.pub";

    /// <summary>
    /// The keys' signature providers, not cached: the library's default factory caches providers process-wide by key id,
    /// so a second server of the process with the same key (an in-process restart, test clusters sharing a PKI) would
    /// sign with the first server's RSA object after that server disposed it.
    /// </summary>
    private static readonly CryptoProviderFactory Providers = new() { CacheSignatureProviders = false };

    private readonly List<RSA> _owned = [];

    private ServiceAccountKeys(RSA signing, IReadOnlyList<RSA> verifying, List<RSA> owned)
    {
        _owned = owned;
        SigningKey = new RsaSecurityKey(signing) { KeyId = KeyId(signing), CryptoProviderFactory = Providers };
        VerificationKeys = verifying.Select(k => new RsaSecurityKey(k) { KeyId = KeyId(k), CryptoProviderFactory = Providers }).DistinctBy(k => k.KeyId).ToList();
    }

    /// <summary>The key tokens are signed with (RS256), its <c>KeyId</c> set.</summary>
    public RsaSecurityKey SigningKey { get; }

    /// <summary>The keys a token's signature may verify with: the signing key and every extra public key.</summary>
    public IReadOnlyList<RsaSecurityKey> VerificationKeys { get; }

    /// <summary>
    /// Loads the signing key from <paramref name="signingKeyFile"/> or, when null, from <c>PKI/sa.key</c>, creating
    /// a 2048-bit RSA key there (and <c>sa.pub</c>) the first time; adds the public keys in <paramref name="publicKeyFiles"/>
    /// (PEM public keys, RSA private keys or certificates) as verification keys.
    /// </summary>
    /// <exception cref="InvalidDataException">A file holds no usable RSA key.</exception>
    public static ServiceAccountKeys LoadOrCreate(string pkiDirectory, string? signingKeyFile = null, IReadOnlyList<string>? publicKeyFiles = null)
    {
        var owned = new List<RSA>();
        RSA signing;
        if (signingKeyFile is not null)
        {
            signing = ReadKeys(signingKeyFile, privateOnly: true).FirstOrDefault() ?? throw new InvalidDataException($"{signingKeyFile}: no RSA private key");
        }
        else
        {
            Directory.CreateDirectory(pkiDirectory);
            var keyPath = Path.Combine(pkiDirectory, DefaultKeyFile);
            if (!File.Exists(keyPath))
            {
                using var fresh = RSA.Create(2048);
                var tmp = keyPath + ".tmp";
                File.WriteAllText(tmp, fresh.ExportRSAPrivateKeyPem());
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                File.WriteAllText(Path.Combine(pkiDirectory, DefaultPublicKeyFile), fresh.ExportSubjectPublicKeyInfoPem());
                File.Move(tmp, keyPath, overwrite: false);
            }

            signing = ReadKeys(keyPath, privateOnly: true).FirstOrDefault() ?? throw new InvalidDataException($"{keyPath}: no RSA private key");
        }

        owned.Add(signing);
        var verifying = new List<RSA> { signing };
        foreach (var file in publicKeyFiles ?? [])
        {
            var keys = ReadKeys(file, privateOnly: false);
            if (keys.Count == 0)
            {
                throw new InvalidDataException($"{file}: no RSA public key");
            }

            owned.AddRange(keys);
            verifying.AddRange(keys);
        }

        return new ServiceAccountKeys(signing, verifying, owned);
    }

    /// <summary>Upstream's key id: base64url (unpadded) of the SHA-256 of the DER-encoded SubjectPublicKeyInfo.</summary>
    public static string KeyId(RSA key) => Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The JWK set of <see cref="VerificationKeys"/> as <c>/openid/v1/jwks</c> serves it.</summary>
    public JsonObject Jwks()
    {
        var keys = new JsonArray();
        foreach (var k in VerificationKeys)
        {
            var p = k.Rsa.ExportParameters(false);
            keys.Add(new JsonObject
            {
                ["use"] = "sig",
                ["kty"] = "RSA",
                ["kid"] = k.KeyId,
                ["alg"] = "RS256",
                ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            });
        }

        return new JsonObject { ["keys"] = keys };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var k in _owned)
        {
            k.Dispose();
        }
    }

    private static List<RSA> ReadKeys(string path, bool privateOnly)
    {
        var text = File.ReadAllText(path);
        var keys = new List<RSA>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var pem = rest[fields.Location].ToString();
            rest = rest[fields.Location.End..];
            var isPrivate = label is "RSA PRIVATE KEY" or "PRIVATE KEY";
            if (isPrivate || (!privateOnly && label is "PUBLIC KEY" or "RSA PUBLIC KEY"))
            {
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(pem);
                    keys.Add(rsa);
                }
                catch (CryptographicException)
                {
                    rsa.Dispose();
                }
            }
            else if (label == "CERTIFICATE" && !privateOnly)
            {
                using var cert = X509Certificate2.CreateFromPem(pem);
                if (cert.GetRSAPublicKey() is { } rsa)
                {
                    keys.Add(rsa);
                }
            }
        }

        return keys;
    }
}
