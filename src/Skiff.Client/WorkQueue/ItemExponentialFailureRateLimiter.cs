using System.Collections.Concurrent;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// Per-item exponential backoff: the n-th consecutive failure of an item waits <c>baseDelay * 2^(n-1)</c>, capped at
/// <c>maxDelay</c> (client-go <c>ItemExponentialFailureRateLimiter</c>).
/// </summary>
public sealed class ItemExponentialFailureRateLimiter<T> : IRateLimiter<T>
    where T : notnull
{
    private readonly ConcurrentDictionary<T, int> _failures;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public ItemExponentialFailureRateLimiter(TimeSpan baseDelay, TimeSpan maxDelay, IEqualityComparer<T>? comparer = null)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _failures = new ConcurrentDictionary<T, int>(comparer);
    }

    public TimeSpan NextDelay(T item)
    {
        var exp = _failures.AddOrUpdate(item, 1, (_, n) => n + 1) - 1;
        var ticks = _baseDelay.Ticks * Math.Pow(2, exp);
        return ticks >= _maxDelay.Ticks ? _maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    public void Forget(T item) => _failures.TryRemove(item, out _);

    public int GetFailureCount(T item) => _failures.TryGetValue(item, out var n) ? n : 0;
}
