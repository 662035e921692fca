namespace Skiff.Client.WorkQueue;

/// <summary>
/// Combines limiters: the delay is the longest any of them asks for, and the failure count the highest
/// (client-go <c>MaxOfRateLimiter</c>). Every limiter records every failure.
/// </summary>
public sealed class MaxOfRateLimiter<T> : IRateLimiter<T>
    where T : notnull
{
    private readonly IRateLimiter<T>[] _limiters;

    public MaxOfRateLimiter(params IRateLimiter<T>[] limiters)
    {
        ArgumentOutOfRangeException.ThrowIfZero(limiters.Length);
        _limiters = limiters;
    }

    public TimeSpan NextDelay(T item)
    {
        var max = TimeSpan.Zero;
        foreach (var l in _limiters)
        {
            var d = l.NextDelay(item);
            if (d > max)
            {
                max = d;
            }
        }

        return max;
    }

    public void Forget(T item)
    {
        foreach (var l in _limiters)
        {
            l.Forget(item);
        }
    }

    public int GetFailureCount(T item) => _limiters.Max(l => l.GetFailureCount(item));
}
