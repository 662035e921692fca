namespace Skiff.Client.WorkQueue;

/// <summary>
/// Decides how long an item waits before it is retried (client-go <c>default_rate_limiters.go</c>).
/// Implementations are thread-safe.
/// </summary>
public interface IRateLimiter<T>
    where T : notnull
{
    /// <summary>Records one more failure of <paramref name="item"/> and returns how long it should wait.</summary>
    TimeSpan NextDelay(T item);

    /// <summary>Forgets the failures of <paramref name="item"/>.</summary>
    void Forget(T item);

    /// <summary>The number of failures recorded for <paramref name="item"/> since it was last forgotten.</summary>
    int GetFailureCount(T item);
}
