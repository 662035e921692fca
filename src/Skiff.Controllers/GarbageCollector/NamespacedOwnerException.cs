namespace Skiff.Controllers.GarbageCollector;

/// <summary>A cluster-scoped object names a namespaced owner, which is invalid; the item is dropped, not retried.</summary>
internal sealed class NamespacedOwnerException(string item, string kind, string name)
    : Exception($"cluster-scoped object {item} has a namespaced owner {kind} {name}");
