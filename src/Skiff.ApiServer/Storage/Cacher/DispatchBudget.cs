namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// How long the cache may wait, in all, for watchers whose buffers are full (upstream's cacher <c>timeBudget</c>): it
/// starts empty, gains 50 ms per second up to 100 ms, a dispatch takes all of it and gives back what it did not use.
/// So a watcher that is briefly slow is waited for, while one that stays slow is cut off without holding up the others
/// for more than a fraction of each second.
/// </summary>
internal sealed class DispatchBudget(TimeProvider time)
{
    internal static readonly TimeSpan RefreshPerSecond = TimeSpan.FromMilliseconds(50);
    internal static readonly TimeSpan Max = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private TimeSpan _budget = TimeSpan.Zero;
    private long _refreshedAt = time.GetTimestamp();

    /// <summary>Takes everything available now.</summary>
    public TimeSpan TakeAvailable()
    {
        lock (_gate)
        {
            Refresh();
            var taken = _budget;
            _budget = TimeSpan.Zero;
            return taken;
        }
    }

    /// <summary>Gives back what a dispatch did not use.</summary>
    public void ReturnUnused(TimeSpan unused)
    {
        if (unused <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            _budget = Min(_budget + unused, Max);
        }
    }

    /// <summary>Adds the refresh of every whole second since the last one (a lazy ticker: no timer per cache).</summary>
    private void Refresh()
    {
        var seconds = (long)time.GetElapsedTime(_refreshedAt).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        _refreshedAt += seconds * time.TimestampFrequency;
        _budget = Min(_budget + (RefreshPerSecond * Math.Min(seconds, 10)), Max);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
