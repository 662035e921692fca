using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>One top-level resource as the server's discovery describes it (<c>metav1.APIResource</c>).</summary>
public sealed record DiscoveredResource
{
    public required GroupVersionResource Resource { get; init; }

    /// <summary>The kind its objects have (in the same group version).</summary>
    public required GroupVersionKind Kind { get; init; }

    /// <summary>The lower-case singular name (e.g. deployment).</summary>
    public required string SingularName { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> Verbs { get; init; } = [];

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresource names (status, scale, …).</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];
}
