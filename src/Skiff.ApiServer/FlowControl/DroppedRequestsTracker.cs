namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream 1.32's <c>droppedRequestsTracker</c>: the <c>Retry-After</c> a 429 carries, per priority level. It starts
/// at 1 s; when a second ends, the drops of the previous <c>retryAfter</c> seconds are summed: at least 3 × retryAfter
/// (and retryAfter seconds since the last rise) doubles it, up to 32; fewer than retryAfter lowers it by one.
/// Thread-safe.
/// </summary>
public sealed class DroppedRequestsTracker(TimeProvider clock)
{
    /// <summary>The largest Retry-After.</summary>
    public const long MaxRetryAfter = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stats> _levels = new(StringComparer.Ordinal);

    /// <summary>Notes a request of <paramref name="priorityLevel"/> dropped now.</summary>
    public void RecordDropped(string priorityLevel)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (!_levels.TryGetValue(priorityLevel, out var stats))
            {
                stats = new Stats();
                _levels[priorityLevel] = stats;
            }

            stats.Record(now);
        }
    }

    /// <summary>The Retry-After (seconds) for a request of <paramref name="priorityLevel"/> dropped now.</summary>
    public long RetryAfter(string priorityLevel)
    {
        lock (_lock)
        {
            return _levels.TryGetValue(priorityLevel, out var stats) ? stats.RetryAfter : 1;
        }
    }

    private sealed class Stats
    {
        private readonly List<(long Unix, long Count)> _history = [];
        private long _currentUnix;
        private long _currentCount;
        private long _lastRaise;

        public long RetryAfter { get; private set; } = 1;

        public void Record(long unix)
        {
            if (unix == _currentUnix)
            {
                _currentCount++;
                return;
            }

            _history.Add((_currentUnix, _currentCount));
            _history.RemoveAll(h => _currentUnix - h.Unix > MaxRetryAfter);
            _currentUnix = unix;
            _currentCount = 1;
            Adjust(unix);
        }

        private void Adjust(long unix)
        {
            long dropped = 0;
            for (var i = _history.Count - 1; i >= 0 && unix - _history[i].Unix <= RetryAfter; i--)
            {
                if (_history[i].Unix < unix)
                {
                    dropped += _history[i].Count;
                }
            }

            if (unix - _lastRaise >= RetryAfter && dropped >= 3 * RetryAfter)
            {
                RetryAfter = Math.Min(RetryAfter * 2, MaxRetryAfter);
                _lastRaise = unix;
            }
            else if (dropped < RetryAfter && RetryAfter > 1)
            {
                RetryAfter--;
            }
        }
    }
}
