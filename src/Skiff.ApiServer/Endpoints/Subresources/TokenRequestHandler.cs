using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// TokenRequest (upstream <c>pkg/registry/core/serviceaccount/storage/token.go</c>): validates expirationSeconds
/// (default 3600, at least 600, at most 2^32, capped at the max expiration with a warning), resolves the bound Pod,
/// Secret or Node (its uid must match when given; a pod must run as this service account), defaults the audiences
/// to the API audiences, extends a pod-bound 3607-second request to a year with <c>warnafter</c>, signs the token
/// and answers 201 with the request, its defaulted spec and status {token, expirationTimestamp}. Never stored.
/// </summary>
internal sealed class TokenRequestHandler : ISubresourceHandler
{
    private const long MinTokenExpirationSeconds = 10 * 60;
    private const long DefaultTokenExpirationSeconds = 60 * 60;

    private TokenRequestHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static TokenRequestHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["create"];

        /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var (ctx, endpoint, ns, name) = (call.Http, call.Endpoint, call.Namespace, call.Name);
        var issuer = endpoint.ServiceAccountTokenIssuer ?? throw ServerErrors.PageNotFound();
        var settings = endpoint.Options.ServiceAccountTokens;
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var req = await endpoint.ReadSubresourceBodyAsync(call, ct).ConfigureAwait(false);
        ResourceEndpoint.CheckTypeMeta(req, "TokenRequest", "authentication.k8s.io/v1");
        var spec = req["spec"] as JsonObject ?? new JsonObject();
        req["spec"] = spec;
        var expiration = spec["expirationSeconds"] is JsonValue ev && ev.TryGetValue<long>(out var e) ? e : DefaultTokenExpirationSeconds;
        spec["expirationSeconds"] = expiration;
        var errors = new List<FieldError>();
        if (expiration < MinTokenExpirationSeconds)
        {
            errors.Add(FieldError.Invalid("spec.expirationSeconds", expiration.ToString(CultureInfo.InvariantCulture), "may not specify a duration less than 10 minutes"));
        }

        if (expiration > uint.MaxValue)
        {
            errors.Add(FieldError.Invalid("spec.expirationSeconds", expiration.ToString(CultureInfo.InvariantCulture), "may not specify a duration larger than 2^32 seconds"));
        }

        if (errors.Count > 0)
        {
            throw StatusErrors.Invalid("authentication.k8s.io", "TokenRequest", name, errors);
        }

        var sa = await call.Store.GetAsync(ns, name, "", ct).ConfigureAwait(false);
        if (Meta.Str(sa, "deletionTimestamp") is not null)
        {
            throw StatusErrors.NotFound("", "serviceaccounts", name);
        }

        BoundObject? pod = null, secret = null, node = null;
        if (spec["boundObjectRef"] is JsonObject bound)
        {
            (pod, secret, node) = await ResolveBoundObjectAsync(endpoint, bound, ns, name, ct).ConfigureAwait(false);
        }

        if (settings.MaxTokenExpiration is { } max && (long)max.TotalSeconds > 0 && expiration > (long)max.TotalSeconds)
        {
            var capped = (long)max.TotalSeconds;
            ctx.Response.Headers.Append("Warning", ResourceEndpoint.WarningHeader($"requested expiration of {expiration} seconds shortened to {capped} seconds"));
            expiration = capped;
            spec["expirationSeconds"] = capped;
        }

        if (spec["audiences"] is not JsonArray { Count: > 0 })
        {
            spec["audiences"] = new JsonArray(settings.EffectiveAudiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        }

        var audiences = ((JsonArray)spec["audiences"]!).Select(a => (string?)a ?? "").ToList();
        long warnAfter = 0;
        var exp = expiration;
        if (settings.ExtendTokenExpiration && pod is not null && expiration == TokenIssuer.WarnOnlyBoundTokenExpirationSeconds
            && audiences.All(a => settings.EffectiveAudiences.Contains(a)))
        {
            warnAfter = expiration;
            exp = TokenIssuer.ExpirationExtensionSeconds;
        }

        var saRef = new BoundObject(name, Meta.Str(sa, "uid") ?? "");
        var claims = issuer.BoundClaims(ns, saRef, pod, secret, node, exp, warnAfter, audiences);
        var token = issuer.Sign(claims);
        var expiry = DateTimeOffset.FromUnixTimeSeconds(claims["exp"]!.GetValue<long>());
        req["kind"] = "TokenRequest";
        req["apiVersion"] = "authentication.k8s.io/v1";
        var meta = req["metadata"] as JsonObject ?? new JsonObject();
        meta["creationTimestamp"] = null;
        req["metadata"] = meta;
        req["status"] = new JsonObject
        {
            ["token"] = token,
            ["expirationTimestamp"] = expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        await Responses.WriteAsync(ctx, 201, req, neg.Format).ConfigureAwait(false);
    }

    private static async Task<(BoundObject? Pod, BoundObject? Secret, BoundObject? Node)> ResolveBoundObjectAsync(ResourceEndpoint e, JsonObject bound, string ns, string saName, CancellationToken ct)
    {
        var apiVersion = (string?)bound["apiVersion"] ?? "";
        var kind = (string?)bound["kind"] ?? "";
        var refName = (string?)bound["name"] ?? "";
        var refUid = (string?)bound["uid"] ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        var version = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : apiVersion;
        BoundObject? pod = null, secret = null, node = null;
        string uid;
        switch (group, kind)
        {
            case ("", "Pod"):
            {
                var p = await GetCoreAsync(e, "pods", ns, refName, ct).ConfigureAwait(false);
                var podSa = (string?)p["spec"]?["serviceAccountName"] ?? "";
                if (podSa != saName)
                {
                    throw StatusErrors.BadRequest($"cannot bind token for serviceaccount \"{saName}\" to pod running with different serviceaccount name.");
                }

                uid = Meta.Str(p, "uid") ?? "";
                pod = new BoundObject(refName, uid);
                if ((string?)p["spec"]?["nodeName"] is { Length: > 0 } nodeName)
                {
                    var n = await e.StoreFor(Core(e, "nodes")).GetRawAsync("", nodeName, ct).ConfigureAwait(false);
                    if (n is not null)
                    {
                        node = new BoundObject(nodeName, Meta.Str(GenericStore.Decode(n), "uid") ?? "");
                    }
                }

                break;
            }

            case ("", "Secret"):
            {
                var s = await GetCoreAsync(e, "secrets", ns, refName, ct).ConfigureAwait(false);
                uid = Meta.Str(s, "uid") ?? "";
                secret = new BoundObject(refName, uid);
                break;
            }

            case ("", "Node"):
            {
                var n = await GetCoreAsync(e, "nodes", "", refName, ct).ConfigureAwait(false);
                uid = Meta.Str(n, "uid") ?? "";
                node = new BoundObject(refName, uid);
                break;
            }

            default:
                throw StatusErrors.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }

        if (refUid.Length > 0 && refUid != uid)
        {
            throw StatusErrors.Conflict("", kind, refName,
                $"the UID in the bound object reference ({refUid}) does not match the UID in record ({uid}). The object might have been deleted and then recreated");
        }

        return (pod, secret, node);
    }

    private static ResourceDescriptor Core(ResourceEndpoint e, string resource) =>
        e.Registry.Find("", "v1", resource) ?? throw StatusErrors.InternalError($"{resource} are not served");

    private static Task<JsonObject> GetCoreAsync(ResourceEndpoint e, string resource, string ns, string name, CancellationToken ct) =>
        e.StoreFor(Core(e, resource)).GetAsync(ns, name, "", ct);
}
