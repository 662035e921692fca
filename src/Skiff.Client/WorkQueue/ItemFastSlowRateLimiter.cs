using System.Collections.Concurrent;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// Retries an item quickly for its first <c>maxFastAttempts</c> failures, then slowly (client-go
/// <c>ItemFastSlowRateLimiter</c>).
/// </summary>
public sealed class ItemFastSlowRateLimiter<T> : IRateLimiter<T>
    where T : notnull
{
    private readonly ConcurrentDictionary<T, int> _failures;
    private readonly TimeSpan _fast;
    private readonly TimeSpan _slow;
    private readonly int _maxFastAttempts;

    public ItemFastSlowRateLimiter(TimeSpan fastDelay, TimeSpan slowDelay, int maxFastAttempts, IEqualityComparer<T>? comparer = null)
    {
        _fast = fastDelay;
        _slow = slowDelay;
        _maxFastAttempts = maxFastAttempts;
        _failures = new ConcurrentDictionary<T, int>(comparer);
    }

    public TimeSpan NextDelay(T item) => _failures.AddOrUpdate(item, 1, (_, n) => n + 1) <= _maxFastAttempts ? _fast : _slow;

    public void Forget(T item) => _failures.TryRemove(item, out _);

    public int GetFailureCount(T item) => _failures.TryGetValue(item, out var n) ? n : 0;
}
