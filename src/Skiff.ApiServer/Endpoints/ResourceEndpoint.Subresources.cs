using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Endpoints.Subresources;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

/// <summary>What the endpoint offers the <see cref="ISubresourceHandler"/>s it routes to.</summary>
internal sealed partial class ResourceEndpoint
{
    /// <summary>Signs the tokens of <c>serviceaccounts/NAME/token</c> (<see cref="TokenRequestHandler"/>); null = TokenRequest answers 404.</summary>
    public TokenIssuer? ServiceAccountTokenIssuer { get; set; }

    /// <summary>Authenticates the token of a TokenReview (<see cref="TokenReviewHandler"/>); null = every review fails.</summary>
    public Func<string, CancellationToken, Task<TokenValidation>>? TokenReviewer { get; set; }

    /// <summary>The served resources.</summary>
    internal ResourceRegistry Registry => _registry;

    /// <summary>The server's options (clock, storage, service-account token settings, …).</summary>
    internal ApiServerOptions Options => _options;

    /// <summary>GET of the object a subresource views (status, approval, ephemeralcontainers), with table/metadata negotiation.</summary>
    internal Task GetObjectAsync(SubresourceCall call, CancellationToken ct) =>
        GetAsync(call.Http, call.Store, call.Namespace, call.Name, ct);

    /// <summary>The generic update of the subresource (PUT): the store's update with the subresource named in its options.</summary>
    internal Task UpdateObjectAsync(SubresourceCall call, CancellationToken ct) =>
        UpdateAsync(call.Http, call.Store, call.Namespace, call.Name, call.SubresourceName, call.User, ct);

    /// <summary>The generic patch of the subresource (every patch type, apply included where the subresource allows it).</summary>
    internal Task PatchObjectAsync(SubresourceCall call, CancellationToken ct) =>
        PatchAsync(call.Http, call.Store, call.Namespace, call.Name, call.SubresourceName, call.User, ct);

    /// <summary>GET of the object's Scale view.</summary>
    internal Task GetScaleAsync(SubresourceCall call, CancellationToken ct) =>
        GetScaleAsync(call.Http, call.Store, call.Namespace, call.Name, ct);

    /// <summary>
    /// Reads and decodes the request body as the subresource's kind (Binding, Eviction, TokenRequest; the resource's
    /// own kind for a virtual resource), with fieldValidation applied.
    /// </summary>
    internal Task<JsonObject> ReadSubresourceBodyAsync(SubresourceCall call, CancellationToken ct) =>
        ReadObjectAsync(call.Http, BodyDescriptor(call.Resource, call.SubresourceName), ct);

    /// <summary>
    /// Runs both admission phases for a request no store writes as such: <paramref name="operation"/> on the call's
    /// resource and subresource, with <paramref name="obj"/> (null for a connect) as an object of <paramref name="kind"/>.
    /// </summary>
    internal Task AdmitAsync(SubresourceCall call, AdmissionOperation operation, string kind, JsonObject? obj, CancellationToken ct) =>
        AdmitDirectAsync(call.Http, call.Resource, call.Namespace, call.Name, call.SubresourceName, operation, kind, obj, call.User, ct);

    /// <summary>The pods store (binding, eviction, log and the streaming verbs read or write pods).</summary>
    internal GenericStore PodsStore() =>
        StoreFor(_registry.Find("", "v1", "pods") ?? throw StatusErrors.InternalError("pods are not served"));

    /// <summary>Whether the request asks for <c>dryRun=All</c>.</summary>
    internal static bool QueryDryRun(HttpContext ctx) => ctx.Request.Query["dryRun"].Contains("All");

    /// <summary>The DeleteOptions of the query overlaid by <paramref name="body"/> (an eviction's deleteOptions).</summary>
    internal static DeleteOptions DeleteOptionsOf(HttpContext ctx, JsonObject? body) => ParseDeleteOptions(ctx, body);

    /// <summary>A <c>Status</c> of <c>Success</c>, the answer of binding and eviction.</summary>
    internal static JsonObject SuccessStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
    };
}
