using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Endpoints.Subresources;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Endpoints;

/// <summary>What the endpoint offers the <see cref="ISubresourceHandler"/>s it routes to.</summary>
internal sealed partial class ResourceEndpoint
{
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
}
