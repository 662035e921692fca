namespace Skiff.Client.Cache;

/// <summary>
/// A cache of one kind of object kept up to date by a watch, with any number of handlers that share that one watch
/// (client-go <c>SharedIndexInformer</c>).
/// </summary>
public interface ISharedIndexInformer<T> : ISharedInformer
{
    /// <summary>The cache. Its objects are shared: read-only.</summary>
    IIndexer<T> Indexer { get; }

    /// <summary>The resourceVersion the cache reflects.</summary>
    string LastSyncResourceVersion { get; }

    /// <summary>
    /// Adds a handler. If the informer already runs, the handler first gets an add for every cached object
    /// (marked as initial-list).
    /// </summary>
    IEventHandlerRegistration AddEventHandler(IResourceEventHandler<T> handler);
}
