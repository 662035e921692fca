using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Service-account issuer discovery (upstream <c>pkg/serviceaccount/openidmetadata.go</c>):
/// <c>GET /.well-known/openid-configuration</c> (issuer, jwks_uri, response_types_supported ["id_token"],
/// subject_types_supported ["public"], id_token_signing_alg_values_supported ["RS256"]) and <c>GET /openid/v1/jwks</c>
/// (the public verification keys as a JWK set, <c>application/jwk-set+json</c>), both cacheable for an hour. The
/// jwks_uri is <paramref name="jwksUri"/> or, when null, <c>https://HOST/openid/v1/jwks</c> for the request's host.
/// </summary>
public sealed class OidcDiscovery(ServiceAccountKeys keys, string issuer, string? jwksUri = null) : IHttpExtension
{
    /// <summary>The discovery document's path.</summary>
    public const string ConfigurationPath = "/.well-known/openid-configuration";

    /// <summary>The key set's path.</summary>
    public const string JwksPath = "/openid/v1/jwks";

    private readonly string _jwks = keys.Jwks().ToJsonString();

    /// <inheritdoc/>
    public async Task<bool> TryHandleAsync(HttpContext context, CancellationToken ct)
    {
        // Upstream's go-restful routes answer with or without a trailing slash, and its bootstrap role grants both.
        var path = context.Request.Path.Value is { Length: > 1 } p && p[^1] == '/' ? p[..^1] : context.Request.Path.Value;
        if (path is not (ConfigurationPath or JwksPath))
        {
            return false;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            throw ServerErrors.MethodNotAllowedOnRoute();
        }

        string body;
        if (path == ConfigurationPath)
        {
            context.Response.ContentType = "application/json";
            body = new JsonObject
            {
                ["issuer"] = issuer,
                ["jwks_uri"] = jwksUri ?? $"https://{context.Request.Host.Value}{JwksPath}",
                ["response_types_supported"] = new JsonArray("id_token"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            }.ToJsonString();
        }
        else
        {
            context.Response.ContentType = "application/jwk-set+json";
            body = _jwks;
        }

        context.Response.StatusCode = 200;
        context.Response.Headers.CacheControl = "public, max-age=3600";
        await context.Response.WriteAsync(body, ct).ConfigureAwait(false);
        return true;
    }
}
