namespace Skiff.Client.WorkQueue;

/// <summary>
/// A <see cref="IDelayingQueue{T}"/> whose re-adds are paced by an <see cref="IRateLimiter{T}"/>
/// (client-go <c>rate_limiting_queue.go</c>): a controller calls <see cref="AddRateLimited"/> after a failure and
/// <see cref="Forget"/> after a success, so that the item's backoff starts over.
/// </summary>
public interface IRateLimitingQueue<T> : IDelayingQueue<T>
    where T : notnull
{
    /// <summary>Adds <paramref name="item"/> after the delay the rate limiter assigns (which records one more failure).</summary>
    void AddRateLimited(T item);

    /// <summary>Clears the rate limiter's failure history of <paramref name="item"/>. Does not remove it from the queue.</summary>
    void Forget(T item);

    /// <summary>How many times <paramref name="item"/> has been rate-limited since it was last forgotten.</summary>
    int GetRequeueCount(T item);
}
