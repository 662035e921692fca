using Skiff.Api.Errors;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// <c>scale</c> (upstream's <c>ScaleREST</c>): get answers the object's <c>autoscaling/v1 Scale</c> view; update and
/// patch write a Scale whose <c>spec.replicas</c> goes into the object, answering the new Scale. Built-in workloads
/// map <c>spec.replicas</c>/<c>status.replicas</c>/the selector (<see cref="Scale"/>); a custom resource maps its CRD's
/// scale paths (<see cref="CustomResources.CustomResourceStrategy.ToScale"/>).
/// </summary>
internal sealed class ScaleSubresourceHandler : ISubresourceHandler
{
    private ScaleSubresourceHandler()
    {
    }

    /// <summary>The one instance.</summary>
    public static ScaleSubresourceHandler Instance { get; } = new();

    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["get", "patch", "update"];

    /// <inheritdoc />
    public Task HandleAsync(SubresourceCall call, CancellationToken ct) => call.Verb switch
    {
        "get" => call.Endpoint.GetScaleAsync(call, ct),
        "update" => call.Endpoint.UpdateObjectAsync(call, ct),
        "patch" => call.Endpoint.PatchObjectAsync(call, ct),
        _ => throw StatusErrors.MethodNotAllowed(call.Resource.Group, $"{call.Resource.Resource}/{call.SubresourceName}", call.Verb),
    };
}
