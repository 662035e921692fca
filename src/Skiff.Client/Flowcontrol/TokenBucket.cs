namespace Skiff.Client.Flowcontrol;

/// <summary>
/// A token bucket (golang.org/x/time/rate's <c>Limiter</c>): tokens refill at <see cref="Qps"/> per second up to
/// <see cref="Burst"/>; each reservation takes one token, possibly in the future, and reports how long to wait for it.
/// Reservations are never cancelled, so a caller that reserves must honour the delay. Thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    /// <param name="qps">Refill rate in tokens per second; must be positive.</param>
    /// <param name="burst">Bucket size; the bucket starts full. Must be at least 1.</param>
    public TokenBucket(double qps, int burst, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        Qps = qps;
        Burst = burst;
        _time = timeProvider ?? TimeProvider.System;
        _tokens = burst;
        _last = _time.GetTimestamp();
    }

    /// <summary>Tokens per second.</summary>
    public double Qps { get; }

    /// <summary>The bucket's capacity.</summary>
    public int Burst { get; }

    /// <summary>Takes one token and returns how long the caller must wait before using it (zero if available now).</summary>
    public TimeSpan Reserve()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            _tokens = Math.Min(Burst, _tokens + (elapsed * Qps));
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / Qps);
        }
    }

    /// <summary>Takes one token without waiting if one is available now; otherwise takes nothing and returns false.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            _tokens = Math.Min(Burst, _tokens + (elapsed * Qps));
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    /// <summary>Takes one token, waiting (on the bucket's clock) until it is due.</summary>
    public Task WaitAsync(CancellationToken ct = default)
    {
        var delay = Reserve();
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, ct);
    }
}
