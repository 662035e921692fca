using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Skiff.Controllers.ServiceAccountToken;

/// <summary>
/// Signs legacy service-account tokens (upstream <c>pkg/serviceaccount/legacy.go</c>): RS256 with upstream's
/// <c>kid</c>, issuer <c>kubernetes/serviceaccount</c>, no audience and no expiry.
/// </summary>
public sealed class LegacyTokenSigner : IDisposable
{
    /// <summary>The issuer of legacy tokens.</summary>
    public const string Issuer = "kubernetes/serviceaccount";

    private readonly RSA _key;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A signer with the RSA private key in <paramref name="privateKeyPem"/>.</summary>
    /// <exception cref="ArgumentException">The PEM holds no RSA private key.</exception>
    public LegacyTokenSigner(string privateKeyPem)
    {
        _key = RSA.Create();
        try
        {
            _key.ImportFromPem(privateKeyPem);
        }
        catch (CryptographicException e)
        {
            _key.Dispose();
            throw new ArgumentException("no RSA private key: " + e.Message, nameof(privateKeyPem), e);
        }

        var kid = Base64UrlEncoder.Encode(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()));
        _credentials = new SigningCredentials(new RsaSecurityKey(_key) { KeyId = kid }, SecurityAlgorithms.RsaSha256);
    }

    /// <summary>A token for service account <paramref name="ns"/>/<paramref name="name"/> (uid <paramref name="uid"/>) kept in Secret <paramref name="secretName"/>.</summary>
    public string Sign(string ns, string name, string uid, string secretName) => _handler.CreateToken(new JsonObject
    {
        ["iss"] = Issuer,
        ["kubernetes.io/serviceaccount/namespace"] = ns,
        ["kubernetes.io/serviceaccount/secret.name"] = secretName,
        ["kubernetes.io/serviceaccount/service-account.name"] = name,
        ["kubernetes.io/serviceaccount/service-account.uid"] = uid,
        ["sub"] = $"system:serviceaccount:{ns}:{name}",
    }.ToJsonString(), _credentials);

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
