namespace Skiff.Client.WorkQueue;

/// <summary>Ready-made rate limiters.</summary>
public static class RateLimiters
{
    /// <summary>
    /// client-go's <c>DefaultControllerRateLimiter</c>: per-item exponential backoff from 5 ms to 1000 s, combined with an
    /// overall bucket of 10 retries per second and a burst of 100.
    /// </summary>
    public static IRateLimiter<T> DefaultController<T>(TimeProvider? timeProvider = null)
        where T : notnull
        => new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<T>(10, 100, timeProvider));
}
