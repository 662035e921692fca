namespace Skiff.Client.Cache;

/// <summary>
/// Receives an informer's notifications (client-go <c>ResourceEventHandler</c>). Each handler gets its notifications in
/// order, on its own loop, so a slow handler delays only itself. Objects are the informer's cached instances:
/// read-only. An exception thrown by a handler is logged and does not stop the informer.
/// </summary>
public interface IResourceEventHandler<in T>
{
    /// <summary>An object appeared; <paramref name="isInInitialList"/> when it came from the informer's first list.</summary>
    void OnAdd(T obj, bool isInInitialList);

    /// <summary>An object changed, or a resync re-delivered it (then old and new are the same instance).</summary>
    void OnUpdate(T oldObj, T newObj);

    /// <summary>
    /// An object went away. With <paramref name="isFinalStateUnknown"/> the deletion was inferred from a relist and
    /// <paramref name="obj"/> is the last state the cache had (client-go <c>DeletedFinalStateUnknown</c>).
    /// </summary>
    void OnDelete(T obj, bool isFinalStateUnknown);
}
