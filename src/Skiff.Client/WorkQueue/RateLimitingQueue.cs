namespace Skiff.Client.WorkQueue;

/// <summary>The <see cref="IRateLimitingQueue{T}"/>: a <see cref="DelayingQueue{T}"/> paced by an <see cref="IRateLimiter{T}"/>.</summary>
public class RateLimitingQueue<T> : DelayingQueue<T>, IRateLimitingQueue<T>
    where T : notnull
{
    private readonly IRateLimiter<T> _limiter;

    /// <param name="limiter">The limiter; <see cref="RateLimiters.DefaultController{T}"/> when null.</param>
    public RateLimitingQueue(IRateLimiter<T>? limiter = null, WorkQueueOptions? options = null, IEqualityComparer<T>? comparer = null)
        : base(options, comparer)
    {
        _limiter = limiter ?? RateLimiters.DefaultController<T>(TimeProvider);
    }

    public void AddRateLimited(T item)
    {
        if (IsShuttingDown)
        {
            return;
        }

        Metrics.Retried();
        AddAfter(item, _limiter.NextDelay(item));
    }

    public void Forget(T item) => _limiter.Forget(item);

    public int GetRequeueCount(T item) => _limiter.GetFailureCount(item);
}
