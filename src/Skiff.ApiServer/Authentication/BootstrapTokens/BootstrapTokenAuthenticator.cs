using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authentication.BootstrapTokens;

/// <summary>
/// Upstream's bootstrap-token authenticator (<c>plugin/pkg/auth/authenticator/token/bootstrap</c>): a bearer token
/// <c>ID.SECRET</c> (<c>[a-z0-9]{6}\.[a-z0-9]{16}</c>) authenticates as <c>system:bootstrap:ID</c> in
/// <c>system:bootstrappers</c> plus the Secret's <c>auth-extra-groups</c> when the Secret
/// <c>kube-system/bootstrap-token-ID</c> of type <c>bootstrap.kubernetes.io/token</c> holds the same id and secret
/// (compared in constant time), is not being deleted, has not passed its <c>expiration</c> and says
/// <c>usage-bootstrap-authentication: "true"</c>. Any other token is not this authenticator's (null).
/// </summary>
public sealed partial class BootstrapTokenAuthenticator(BoundObjectCache secrets, TimeProvider clock) : ITokenAuthenticator
{
    /// <summary>The Secret type of bootstrap tokens.</summary>
    public const string SecretType = Skiff.Api.Certificates.BootstrapTokenExpiration.SecretType;

    /// <summary>The prefix of a bootstrap token's Secret name.</summary>
    public const string SecretPrefix = "bootstrap-token-";

    /// <summary>The prefix of a bootstrap token's user name.</summary>
    public const string UserPrefix = "system:bootstrap:";

    /// <summary>The group every bootstrap token is in.</summary>
    public const string DefaultGroup = "system:bootstrappers";

    /// <inheritdoc/>
    public async Task<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken ct)
    {
        var m = TokenPattern().Match(token);
        if (!m.Success)
        {
            return null;
        }

        var (id, secretPart) = (m.Groups[1].Value, m.Groups[2].Value);
        var secret = await secrets.GetAsync($"/registry/secrets/kube-system/{SecretPrefix}{id}", ct).ConfigureAwait(false);
        if (secret is null || JsonPath.Str(secret, "metadata", "deletionTimestamp") is { Length: > 0 } || JsonPath.Str(secret, "type") != SecretType
            || JsonPath.Obj(secret, "data") is not { } data)
        {
            return null;
        }

        var stored = Data(data, "token-secret");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(secretPart))
            || Data(data, "token-id") != id
            || HasExpired(Data(data, "expiration"))
            || Data(data, "usage-bootstrap-authentication") != "true")
        {
            return null;
        }

        var groups = new SortedSet<string>(StringComparer.Ordinal) { DefaultGroup };
        foreach (var g in Data(data, "auth-extra-groups").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ExtraGroupPattern().IsMatch(g))
            {
                return null;
            }

            groups.Add(g);
        }

        return new UserInfo(UserPrefix + id, null, [.. groups]);
    }

    // Upstream treats an unparsable expiration as expired.
    private bool HasExpired(string expiration) => Skiff.Api.Certificates.BootstrapTokenExpiration.Of(expiration, clock.GetUtcNow()).Expired;

    private static string Data(JsonObject data, string key)
    {
        if (JsonPath.Str(data, key) is not { } b64)
        {
            return "";
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return "";
        }
    }

    [GeneratedRegex(@"\A([a-z0-9]{6})\.([a-z0-9]{16})\z")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z")]
    private static partial Regex ExtraGroupPattern();
}
