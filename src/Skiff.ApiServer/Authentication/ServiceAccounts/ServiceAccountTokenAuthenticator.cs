using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Authenticates service-account JWTs (upstream's <c>pkg/serviceaccount</c> JWT authenticator with the bound and
/// legacy validators): the signature against <see cref="ServiceAccountKeys.VerificationKeys"/>; for bound tokens an
/// accepted issuer, an audience among the API audiences, exp/nbf/iat with upstream's one-minute leeway, and the
/// service account, pod, secret or node they name still existing with the same uid (not deleted for over a minute);
/// for legacy tokens (issuer <c>kubernetes/serviceaccount</c>) the Secret still holding exactly this token and the
/// service account's uid. Objects are read through <see cref="BoundObjectCache"/>.
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(ServiceAccountKeys keys, ServiceAccountTokenSettings settings, BoundObjectCache objects, TimeProvider clock)
    : ITokenAuthenticator
{
    /// <summary>Upstream's <c>jwt.DefaultLeeway</c>.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    /// <summary>The group of every service account.</summary>
    public const string AllServiceAccountsGroup = "system:serviceaccounts";

    private const string ExtraPrefix = "authentication.kubernetes.io/";

    private readonly JsonWebTokenHandler _handler = new();

    /// <inheritdoc/>
    public async Task<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken ct) => (await ValidateAsync(token, ct).ConfigureAwait(false)).User;

    /// <summary>
    /// Validates <paramref name="token"/>: the user, or the reason it is refused (<c>Handled</c> is false when the
    /// token is not a JWT of a service-account issuer at all, so other authenticators may own it).
    /// </summary>
    public async Task<TokenValidation> ValidateAsync(string token, CancellationToken ct)
    {
        JsonWebToken jwt;
        try
        {
            if (!_handler.CanReadToken(token))
            {
                return TokenValidation.NotHandled;
            }

            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return TokenValidation.NotHandled;
        }

        string issuer;
        try
        {
            issuer = jwt.Issuer;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or InvalidOperationException)
        {
            return TokenValidation.NotHandled;
        }

        var legacy = issuer == TokenIssuer.LegacyIssuer;
        if (!legacy && !settings.Issuers.Contains(issuer))
        {
            return TokenValidation.NotHandled;
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys.VerificationKeys,
            ValidIssuers = legacy ? [TokenIssuer.LegacyIssuer] : settings.Issuers,
            ValidateAudience = !legacy,
            ValidAudiences = settings.EffectiveAudiences,
            ValidateLifetime = false, // checked below against the injected clock, with upstream's leeway and messages
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        var result = await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return TokenValidation.Fail(result.Exception is SecurityTokenInvalidAudienceException ? "token audiences is invalid" : "invalid bearer token");
        }

        JsonObject claims;
        try
        {
            claims = JsonNode.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)) as JsonObject ?? throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or ArgumentException)
        {
            return TokenValidation.Fail("invalid bearer token");
        }

        try
        {
            return legacy ? await LegacyAsync(token, claims, ct).ConfigureAwait(false) : await BoundAsync(claims, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return TokenValidation.Fail("service account token claims could not be validated");
        }
    }

    private async Task<TokenValidation> BoundAsync(JsonObject claims, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Time(claims["exp"]) is { } exp && now > exp + Leeway)
        {
            return TokenValidation.Fail("service account token has expired");
        }

        if (Time(claims["nbf"]) is { } nbf && now < nbf - Leeway)
        {
            return TokenValidation.Fail("service account token is not valid yet");
        }

        if (Time(claims["iat"]) is { } iat && now < iat - Leeway)
        {
            return TokenValidation.Fail("service account token is issued in the future");
        }

        var k8s = claims["kubernetes.io"] as JsonObject;
        var ns = (string?)k8s?["namespace"];
        if (k8s is null || string.IsNullOrEmpty(ns) || Ref(k8s["serviceaccount"]) is not { } saRef)
        {
            return TokenValidation.Fail("service account token claims could not be validated");
        }

        var deletedBefore = now - Leeway;
        var sa = await objects.GetAsync($"/registry/serviceaccounts/{ns}/{saRef.Name}", ct).ConfigureAwait(false);
        if (sa is null)
        {
            return TokenValidation.Fail($"serviceaccounts \"{saRef.Name}\" not found");
        }

        if (Deleted(sa, deletedBefore))
        {
            return TokenValidation.Fail($"service account {ns}/{saRef.Name} has been deleted");
        }

        if (Uid(sa) != saRef.Uid)
        {
            return TokenValidation.Fail($"service account UID ({Uid(sa)}) does not match claim ({saRef.Uid})");
        }

        if (Ref(k8s["secret"]) is { } secretRef)
        {
            var secret = await objects.GetAsync($"/registry/secrets/{ns}/{secretRef.Name}", ct).ConfigureAwait(false);
            if (secret is null || Deleted(secret, deletedBefore))
            {
                return TokenValidation.Fail("service account token has been invalidated");
            }

            if (Uid(secret) != secretRef.Uid)
            {
                return TokenValidation.Fail($"secret UID ({Uid(secret)}) does not match service account secret ref claim ({secretRef.Uid})");
            }
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var podRef = Ref(k8s["pod"]);
        if (podRef is not null)
        {
            var pod = await objects.GetAsync($"/registry/pods/{ns}/{podRef.Name}", ct).ConfigureAwait(false);
            if (pod is null || Deleted(pod, deletedBefore))
            {
                return TokenValidation.Fail("service account token has been invalidated");
            }

            if (Uid(pod) != podRef.Uid)
            {
                return TokenValidation.Fail($"pod UID ({Uid(pod)}) does not match service account pod ref claim ({podRef.Uid})");
            }

            extra[ExtraPrefix + "pod-name"] = [podRef.Name];
            extra[ExtraPrefix + "pod-uid"] = [podRef.Uid];
        }

        if (Ref(k8s["node"]) is { } nodeRef)
        {
            if (podRef is null)
            {
                // Node-bound: the node itself must still exist.
                var node = await objects.GetAsync($"/registry/nodes/{nodeRef.Name}", ct).ConfigureAwait(false);
                if (node is null || Deleted(node, deletedBefore))
                {
                    return TokenValidation.Fail("service account token has been invalidated");
                }

                if (Uid(node) != nodeRef.Uid)
                {
                    return TokenValidation.Fail($"node UID ({Uid(node)}) does not match service account node ref claim ({nodeRef.Uid})");
                }
            }

            extra[ExtraPrefix + "node-name"] = [nodeRef.Name];
            extra[ExtraPrefix + "node-uid"] = [nodeRef.Uid];
        }

        if ((string?)claims["jti"] is { Length: > 0 } jti)
        {
            extra[ExtraPrefix + "credential-id"] = ["JTI=" + jti];
        }

        return TokenValidation.Ok(User(ns, saRef, extra));
    }

    private async Task<TokenValidation> LegacyAsync(string token, JsonObject claims, CancellationToken ct)
    {
        var ns = (string?)claims["kubernetes.io/serviceaccount/namespace"];
        var saName = (string?)claims["kubernetes.io/serviceaccount/service-account.name"];
        var saUid = (string?)claims["kubernetes.io/serviceaccount/service-account.uid"];
        var secretName = (string?)claims["kubernetes.io/serviceaccount/secret.name"];
        if (string.IsNullOrEmpty(ns) || string.IsNullOrEmpty(saName) || string.IsNullOrEmpty(saUid) || string.IsNullOrEmpty(secretName))
        {
            return TokenValidation.Fail("service account token claims could not be validated");
        }

        if ((string?)claims["sub"] != TokenIssuer.UserName(ns, saName))
        {
            return TokenValidation.Fail("sub claim is not valid");
        }

        var secret = await objects.GetAsync($"/registry/secrets/{ns}/{secretName}", ct).ConfigureAwait(false);
        if (secret is null || secret["metadata"]?["deletionTimestamp"] is not null)
        {
            return TokenValidation.Fail("service account token has been invalidated");
        }

        var stored = (string?)secret["data"]?["token"];
        if (stored is null || !Convert.FromBase64String(stored).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(token)))
        {
            return TokenValidation.Fail("service account token has been invalidated");
        }

        if (secret["metadata"]?["labels"]?["kubernetes.io/legacy-token-invalid-since"] is not null)
        {
            return TokenValidation.Fail("service account token has been invalidated");
        }

        var sa = await objects.GetAsync($"/registry/serviceaccounts/{ns}/{saName}", ct).ConfigureAwait(false);
        if (sa is null || sa["metadata"]?["deletionTimestamp"] is not null)
        {
            return TokenValidation.Fail($"service account {ns}/{saName} has been deleted");
        }

        if (Uid(sa) != saUid)
        {
            return TokenValidation.Fail($"service account UID ({Uid(sa)}) does not match claim ({saUid})");
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        return TokenValidation.Ok(User(ns, new BoundObject(saName, saUid), extra));
    }

    private static UserInfo User(string ns, BoundObject sa, Dictionary<string, IReadOnlyList<string>> extra) =>
        new(TokenIssuer.UserName(ns, sa.Name), sa.Uid, [AllServiceAccountsGroup, AllServiceAccountsGroup + ":" + ns]) { Extra = extra };

    private static BoundObject? Ref(JsonNode? node) =>
        node is JsonObject o && (string?)o["name"] is { Length: > 0 } name ? new BoundObject(name, (string?)o["uid"] ?? "") : null;

    private static string Uid(JsonObject obj) => (string?)obj["metadata"]?["uid"] ?? "";

    private static bool Deleted(JsonObject obj, DateTimeOffset before) =>
        (string?)obj["metadata"]?["deletionTimestamp"] is { } ts && DateTimeOffset.TryParse(ts, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) && t < before;

    private static DateTimeOffset? Time(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d)
        ? DateTimeOffset.FromUnixTimeSeconds((long)d)
        : null;
}
