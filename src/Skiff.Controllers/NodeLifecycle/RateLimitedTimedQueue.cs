namespace Skiff.Controllers.NodeLifecycle;

/// <summary>
/// Upstream's <c>RateLimitedTimedQueue</c> (<c>pkg/controller/nodelifecycle/scheduler</c>) without per-item retry times:
/// a first-in-first-out set of node names worked through a token bucket (burst 1) of a swappable rate; a rate of 0
/// stops it. Thread-safe.
/// </summary>
internal sealed class RateLimitedTimedQueue(TimeProvider time, double qps)
{
    private readonly Lock _lock = new();
    private readonly List<string> _items = [];
    private double _qps = qps;
    private double _tokens = qps > 0 ? 1 : 0;
    private DateTimeOffset _last = time.GetUtcNow();

    /// <summary>Adds a node unless it is queued; returns whether it was added.</summary>
    public bool Add(string name)
    {
        lock (_lock)
        {
            if (_items.Contains(name))
            {
                return false;
            }

            _items.Add(name);
            return true;
        }
    }

    /// <summary>Removes a node; returns whether it was queued.</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            return _items.Remove(name);
        }
    }

    /// <summary>Changes the rate (upstream's <c>SwapLimiter</c>); 0 stops the queue.</summary>
    public void SwapLimiter(double qps)
    {
        lock (_lock)
        {
            if (qps == _qps)
            {
                return;
            }

            Refill();
            _qps = qps;
            _tokens = qps > 0 ? Math.Min(_tokens, 1) : 0;
        }
    }

    /// <summary>
    /// Works the queue in order while tokens last: <paramref name="process"/> returns true when the item is done
    /// (removed), false to keep it for the next pass.
    /// </summary>
    public async Task TryAsync(Func<string, Task<bool>> process)
    {
        while (true)
        {
            string next;
            lock (_lock)
            {
                Refill();
                if (_items.Count == 0 || _tokens < 1)
                {
                    return;
                }

                _tokens -= 1;
                next = _items[0];
                _items.RemoveAt(0);
            }

            if (!await process(next).ConfigureAwait(false))
            {
                lock (_lock)
                {
                    if (!_items.Contains(next))
                    {
                        _items.Add(next);
                    }
                }

                return;
            }
        }
    }

    private void Refill()
    {
        var now = time.GetUtcNow();
        if (_qps > 0)
        {
            _tokens = Math.Min(1, _tokens + ((now - _last).TotalSeconds * _qps));
        }

        _last = now;
    }
}
