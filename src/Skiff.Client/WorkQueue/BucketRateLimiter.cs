using Skiff.Client.Flowcontrol;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// An overall token bucket shared by all items (client-go <c>BucketRateLimiter</c>): it bounds the retry rate of the
/// whole queue, regardless of which item fails. It keeps no per-item state.
/// </summary>
public sealed class BucketRateLimiter<T> : IRateLimiter<T>
    where T : notnull
{
    private readonly TokenBucket _bucket;

    public BucketRateLimiter(double qps, int burst, TimeProvider? timeProvider = null)
    {
        _bucket = new TokenBucket(qps, burst, timeProvider);
    }

    public TimeSpan NextDelay(T item) => _bucket.Reserve();

    public void Forget(T item)
    {
    }

    public int GetFailureCount(T item) => 0;
}
