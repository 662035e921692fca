namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// The seam through which <see cref="ResourceEndpoint"/> serves everything that is not a plain read or write of a
/// stored object: a subresource (<c>pods/NAME/binding</c>, <c>deployments/NAME/scale</c>, <c>pods/NAME/exec</c>, …)
/// or a virtual resource answered without a store (<c>bindings</c>, the reviews). Upstream registers one REST storage
/// per such path (<c>BindingREST</c>, <c>EvictionREST</c>, <c>ScaleREST</c>, <c>ExecREST</c>, …); a handler is that
/// storage. It is attached to <see cref="Registry.SubresourceDescriptor.Handler"/> (or, for a virtual resource, to
/// <see cref="Registry.ResourceDescriptor.Handler"/>) where the descriptor is built, so the generic endpoint names no
/// resource.
/// </summary>
/// <remarks>
/// Contract, as the endpoint applies it before calling <see cref="HandleAsync"/>:
/// <list type="bullet">
/// <item>The request is authenticated and authorized (on the subresource's own RBAC resource, <c>pods/exec</c>); the
/// resource exists (404) and, for a cluster-scoped one, no namespace is given (404).</item>
/// <item>A subresource the descriptor does not list, or whose handler is null, is 404 NotFound; a verb the
/// <see cref="Registry.SubresourceDescriptor.Verbs"/> do not list (a watch counts as get) is the router's 405; a verb
/// the route accepts but <see cref="Verbs"/> does not contain is 405 MethodNotAllowed naming <c>resource/subresource</c>.</item>
/// <item>The handler owns everything else: decoding the body, validation (upstream-shaped Status errors, never a 500),
/// admission (it runs the admission chain itself: <c>create</c> for binding and eviction, <c>connect</c> for
/// exec/attach/portforward/proxy with the descriptor's <see cref="Registry.SubresourceDescriptor.Kind"/> as the options
/// kind, the store's phases for writes) and the response.</item>
/// </list>
/// Handlers are stateless singletons shared by every descriptor and every API server; per-server state (the kubelet
/// proxy, the token issuer) is reached through <see cref="SubresourceCall.Endpoint"/>.
/// </remarks>
internal interface ISubresourceHandler
{
    /// <summary>The request verbs served (get, watch, create, update, patch, delete); a superset of the route's verbs.</summary>
    IReadOnlyCollection<string> Verbs { get; }

    /// <summary>Serves <paramref name="call"/>, whose verb is one of <see cref="Verbs"/>, and writes its response.</summary>
    Task HandleAsync(SubresourceCall call, CancellationToken ct);
}
