namespace Skiff.ApiServer.Registry;

/// <summary>
/// What a DELETE without an explicit propagation policy does to dependents (upstream's
/// <c>rest.GarbageCollectionPolicy</c>, returned by a strategy's <c>DefaultGarbageCollectionPolicy</c>).
/// </summary>
public enum GarbageCollectionPolicy
{
    /// <summary>Dependents are deleted in the background (the default of every type without its own policy).</summary>
    DeleteDependents,

    /// <summary>Dependents are orphaned: the <c>orphan</c> finalizer is added (core/v1 replicationcontrollers, batch/v1 jobs).</summary>
    OrphanDependents,

    /// <summary>The type takes no part in garbage collection: DELETE never adds or removes GC finalizers (events).</summary>
    Unsupported,
}
