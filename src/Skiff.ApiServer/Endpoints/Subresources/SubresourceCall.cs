using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>One request an <see cref="ISubresourceHandler"/> serves, with the endpoint that routed it.</summary>
internal sealed record SubresourceCall
{
    /// <summary>The HTTP exchange (the handler writes the response).</summary>
    public required HttpContext Http { get; init; }

    /// <summary>The parsed request (verb, name, the proxy path's rest).</summary>
    public required RequestInfo Info { get; init; }

    /// <summary>The authenticated (and, when impersonating, impersonated) user.</summary>
    public required UserInfo User { get; init; }

    /// <summary>The resource addressed (pods for <c>pods/NAME/exec</c>; tokenreviews for a review).</summary>
    public required ResourceDescriptor Resource { get; init; }

    /// <summary>The subresource addressed; null when the handler serves <see cref="Resource"/> itself.</summary>
    public SubresourceDescriptor? Subresource { get; init; }

    /// <summary>The namespace ("" for cluster-scoped resources).</summary>
    public required string Namespace { get; init; }

    /// <summary>The object name from the URL ("" for a collection).</summary>
    public required string Name { get; init; }

    /// <summary>The endpoint that routed the call: stores, body decoding, admission and per-server state.</summary>
    public required ResourceEndpoint Endpoint { get; init; }

    /// <summary>The request verb (get, watch, create, update, patch, delete).</summary>
    public string Verb => Info.Verb;

    /// <summary>The subresource's name ("" when the resource itself is addressed).</summary>
    public string SubresourceName => Subresource?.Name ?? "";

    /// <summary>The store of <see cref="Resource"/>.</summary>
    public GenericStore Store => Endpoint.StoreFor(Resource);
}
