namespace Skiff.Client.WorkQueue;

/// <summary>
/// A <see cref="IWorkQueue{T}"/> that can add an item later (client-go <c>delaying_queue.go</c>). Time comes from the
/// queue's <see cref="TimeProvider"/>. While an item waits, adding it again with a shorter delay moves its ready time
/// earlier; a longer delay does not postpone it. Waiting items are dropped at shutdown.
/// </summary>
public interface IDelayingQueue<T> : IWorkQueue<T>
    where T : notnull
{
    /// <summary>Adds <paramref name="item"/> once <paramref name="delay"/> has passed (immediately if it is not positive).</summary>
    void AddAfter(T item, TimeSpan delay);
}
