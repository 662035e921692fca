namespace Skiff.Proxy.Health;

/// <summary>
/// Upstream's proxier health (<c>ProxierHealthServer</c>): healthy once a sync succeeded and no requested change has
/// waited longer than twice the sync period without a successful sync since.
/// </summary>
public sealed class ProxyHealth(TimeSpan syncPeriod, TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastUpdated;
    private DateTimeOffset? _queuedSince;

    /// <summary>The last successful sync.</summary>
    public DateTimeOffset? LastUpdated
    {
        get
        {
            lock (_gate)
            {
                return _lastUpdated;
            }
        }
    }

    /// <summary>A change is waiting for a sync (the oldest waiting one counts).</summary>
    public void Queued()
    {
        lock (_gate)
        {
            _queuedSince ??= time.GetUtcNow();
        }
    }

    /// <summary>A sync succeeded.</summary>
    public void Updated()
    {
        lock (_gate)
        {
            _lastUpdated = time.GetUtcNow();
            _queuedSince = null;
        }
    }

    /// <summary>True while the proxier keeps up.</summary>
    public bool IsHealthy()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return _lastUpdated is not null && (_queuedSince is not { } q || now - q <= 2 * syncPeriod);
        }
    }
}
