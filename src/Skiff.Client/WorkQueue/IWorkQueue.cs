namespace Skiff.Client.WorkQueue;

/// <summary>
/// A work queue with client-go's guarantees (<c>util/workqueue/queue.go</c>):
/// <list type="bullet">
/// <item>Fair: items are handed out in the order they were added.</item>
/// <item>Stingy: an item added several times before a worker takes it is handed out once.</item>
/// <item>Exclusive: an item being processed (taken by <see cref="GetAsync"/> and not yet passed to <see cref="Done"/>)
/// is never handed to a second worker. If it is added again meanwhile, it is handed out again after <see cref="Done"/>.</item>
/// <item>Shutdown: after <see cref="ShutDown"/> additions are ignored; items already queued are still handed out, then
/// <see cref="GetAsync"/> throws <see cref="WorkQueueShutDownException"/> and <see cref="ReadAllAsync"/> completes.</item>
/// </list>
/// All members are thread-safe.
/// </summary>
/// <typeparam name="T">The item type; items are compared with the queue's equality comparer.</typeparam>
public interface IWorkQueue<T>
    where T : notnull
{
    /// <summary>The number of items waiting to be handed out (not counting items being processed).</summary>
    int Count { get; }

    /// <summary>True once <see cref="ShutDown"/> or <see cref="ShutDownWithDrainAsync"/> has been called.</summary>
    bool IsShuttingDown { get; }

    /// <summary>Marks <paramref name="item"/> as needing processing. Ignored after shutdown.</summary>
    void Add(T item);

    /// <summary>
    /// Takes the next item, waiting until one is available. The caller owns the item until it calls
    /// <see cref="Done"/> with it.
    /// </summary>
    /// <exception cref="WorkQueueShutDownException">The queue is shut down and empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    ValueTask<T> GetAsync(CancellationToken ct = default);

    /// <summary>
    /// Takes items one after another (each is owned by the caller until <see cref="Done"/>) until the queue is shut
    /// down and empty, then completes.
    /// </summary>
    IAsyncEnumerable<T> ReadAllAsync(CancellationToken ct = default);

    /// <summary>
    /// Marks the processing of <paramref name="item"/> finished. If it was added again while being processed, it is
    /// queued again now.
    /// </summary>
    void Done(T item);

    /// <summary>Stops accepting items and, once the queue is empty, ends every waiting and future <see cref="GetAsync"/>.</summary>
    void ShutDown();

    /// <summary>
    /// Shuts down like <see cref="ShutDown"/>, then waits until every item handed out has been passed to
    /// <see cref="Done"/>.
    /// </summary>
    Task ShutDownWithDrainAsync(CancellationToken ct = default);
}
