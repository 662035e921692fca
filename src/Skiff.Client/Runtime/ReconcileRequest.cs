namespace Skiff.Client.Runtime;

/// <summary>
/// What to reconcile: one object by namespace (null for cluster-scoped) and name (controller-runtime
/// <c>reconcile.Request</c>). Equal requests collapse in the work queue.
/// </summary>
public sealed record ReconcileRequest(string? Namespace, string Name)
{
    /// <summary>The cache key (<c>namespace/name</c> or <c>name</c>).</summary>
    public override string ToString() => string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}/{Name}";
}
