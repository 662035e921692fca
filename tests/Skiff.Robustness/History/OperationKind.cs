namespace Skiff.Robustness.History;

/// <summary>What a client asked the API server to do with one configmap (or, for <see cref="List"/>, the namespace).</summary>
public enum OperationKind
{
    /// <summary>POST: create the key with a value.</summary>
    Create,

    /// <summary>PUT with <c>metadata.resourceVersion</c> set: a compare-and-swap on the current revision.</summary>
    CasUpdate,

    /// <summary>PUT without <c>metadata.resourceVersion</c>: an unconditional update.</summary>
    Update,

    /// <summary>DELETE with <c>preconditions.resourceVersion</c>.</summary>
    CasDelete,

    /// <summary>DELETE without preconditions.</summary>
    Delete,

    /// <summary>GET with no resourceVersion (a quorum read).</summary>
    Get,

    /// <summary>LIST of the namespace with no resourceVersion (a consistent read).</summary>
    List,
}
