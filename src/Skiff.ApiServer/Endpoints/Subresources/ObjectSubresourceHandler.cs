using Skiff.Api.Errors;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// The default subresource handler: a subresource that is a view of the parent object itself (<c>status</c>,
/// <c>approval</c>, <c>ephemeralcontainers</c>, <c>namespaces/finalize</c>) is read with the object's get and written
/// with the generic update/patch, the store and strategy told which subresource is written (so that, for example, an
/// update of <c>status</c> keeps the spec and <c>finalize</c> changes only <c>spec.finalizers</c>).
/// </summary>
internal sealed class ObjectSubresourceHandler : ISubresourceHandler
{
    private readonly string[] _verbs;

    private ObjectSubresourceHandler(params string[] verbs) => _verbs = verbs;

    /// <summary>get, patch and update (status, approval, ephemeralcontainers; custom resources' status).</summary>
    public static ObjectSubresourceHandler Instance { get; } = new("get", "patch", "update");

    /// <summary>update only (<c>namespaces/NAME/finalize</c>, upstream's <c>FinalizeREST</c>).</summary>
    public static ObjectSubresourceHandler UpdateOnly { get; } = new("update");

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs => _verbs;

    /// <inheritdoc />
    public Task HandleAsync(SubresourceCall call, CancellationToken ct) => call.Verb switch
    {
        "get" => call.Endpoint.GetObjectAsync(call, ct),
        "update" => call.Endpoint.UpdateObjectAsync(call, ct),
        "patch" => call.Endpoint.PatchObjectAsync(call, ct),
        _ => throw StatusErrors.MethodNotAllowed(call.Resource.Group, $"{call.Resource.Resource}/{call.SubresourceName}", call.Verb),
    };
}
