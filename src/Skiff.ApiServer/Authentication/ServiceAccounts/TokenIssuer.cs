using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Builds and signs service-account JWTs (RS256, upstream's <c>kid</c>) with upstream's claims
/// (<c>pkg/serviceaccount/claims.go</c> and <c>legacy.go</c>).
/// </summary>
public sealed class TokenIssuer(ServiceAccountKeys keys, string issuer, TimeProvider clock)
{
    /// <summary>The issuer of legacy secret-based tokens.</summary>
    public const string LegacyIssuer = "kubernetes/serviceaccount";

    /// <summary>The expiration the ServiceAccount admission plugin requests; extended to a year for pod-bound tokens.</summary>
    public const long WarnOnlyBoundTokenExpirationSeconds = 60 * 60 + 7;

    /// <summary>The extended lifetime of such tokens (one year).</summary>
    public const long ExpirationExtensionSeconds = 24 * 365 * 60 * 60;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(keys.SigningKey, SecurityAlgorithms.RsaSha256);

    /// <summary>The issuer (<c>iss</c>) of bound tokens.</summary>
    public string Issuer => issuer;

    /// <summary>The user name of a service account: <c>system:serviceaccount:NS:NAME</c>.</summary>
    public static string UserName(string ns, string name) => $"system:serviceaccount:{ns}:{name}";

    /// <summary>
    /// The claims of a bound token (upstream's <c>Claims</c>): sub, aud, iat, nbf, exp, jti and the <c>kubernetes.io</c>
    /// private claim with namespace, serviceaccount and at most one of pod (plus its node when scheduled), secret or
    /// node; <c>warnafter</c> when <paramref name="warnAfterSeconds"/> is not 0.
    /// </summary>
    public JsonObject BoundClaims(string ns, BoundObject serviceAccount, BoundObject? pod, BoundObject? secret, BoundObject? node,
        long expirationSeconds, long warnAfterSeconds, IReadOnlyList<string> audiences)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var k8s = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = Ref(serviceAccount),
        };
        if (pod is not null)
        {
            k8s["pod"] = Ref(pod);
            if (node is not null)
            {
                k8s["node"] = Ref(node);
            }
        }
        else if (secret is not null)
        {
            k8s["secret"] = Ref(secret);
        }
        else if (node is not null)
        {
            k8s["node"] = Ref(node);
        }

        if (warnAfterSeconds != 0)
        {
            k8s["warnafter"] = now + warnAfterSeconds;
        }

        return new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["exp"] = now + expirationSeconds,
            ["iat"] = now,
            ["iss"] = issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = k8s,
            ["nbf"] = now,
            ["sub"] = UserName(ns, serviceAccount.Name),
        };
    }

    /// <summary>The claims of a legacy secret-based token (no audience, no expiry).</summary>
    public static JsonObject LegacyClaims(string ns, BoundObject serviceAccount, string secretName) => new()
    {
        ["iss"] = LegacyIssuer,
        ["kubernetes.io/serviceaccount/namespace"] = ns,
        ["kubernetes.io/serviceaccount/secret.name"] = secretName,
        ["kubernetes.io/serviceaccount/service-account.name"] = serviceAccount.Name,
        ["kubernetes.io/serviceaccount/service-account.uid"] = serviceAccount.Uid,
        ["sub"] = UserName(ns, serviceAccount.Name),
    };

    /// <summary>Signs <paramref name="claims"/> as a compact JWS.</summary>
    public string Sign(JsonObject claims) => _handler.CreateToken(claims.ToJsonString(), _credentials);

    private static JsonObject Ref(BoundObject o) => new() { ["name"] = o.Name, ["uid"] = o.Uid };
}
