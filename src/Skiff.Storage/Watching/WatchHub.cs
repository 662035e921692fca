using System.Threading.Channels;

namespace Skiff.Storage.Watching;

/// <summary>
/// In-process fan-out of committed storage events to watchers, shared by the backends.
/// </summary>
/// <remarks>
/// <para>The backend calls <see cref="Publish(StorageEvent)"/> (or the batch overload) after every commit, in revision
/// order and never concurrently with itself. <see cref="Subscribe"/> registers a watcher and reports the last
/// published revision at that moment: the backend replays history up to and including that revision itself, and the
/// subscription delivers every later event, so the watcher sees no gap and no duplicate.</para>
/// <para>Each watcher has a bounded buffer; when it is full the watcher is cut off and its stream throws
/// <see cref="WatchLaggedException"/> after the buffered events. Watchers that asked for progress notifications get a
/// <see cref="StorageEventType.Progress"/> event right after their replay and on every tick of the progress timer
/// during which nothing else was queued for them.</para>
/// </remarks>
public sealed class WatchHub : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _bufferSize;
    private readonly ITimer? _timer;
    private long _revision;
    private bool _disposed;

    /// <summary>Creates a hub.</summary>
    /// <param name="initialRevision">The store's revision when the hub starts.</param>
    /// <param name="bufferSize">Events buffered per watcher before it is cut off as lagging.</param>
    /// <param name="timeProvider">Drives the progress timer.</param>
    /// <param name="progressInterval">How often idle watchers get a progress event; <see cref="Timeout.InfiniteTimeSpan"/> disables.</param>
    public WatchHub(long initialRevision, int bufferSize, TimeProvider timeProvider, TimeSpan progressInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _revision = initialRevision;
        _bufferSize = bufferSize;
        if (progressInterval > TimeSpan.Zero && progressInterval != Timeout.InfiniteTimeSpan)
        {
            _timer = timeProvider.CreateTimer(_ => Tick(), null, progressInterval, progressInterval);
        }
    }

    /// <summary>The revision of the last published event (or the initial revision).</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Registers a watcher of the keys under <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The key prefix.</param>
    /// <param name="progressNotify">Whether to deliver progress events.</param>
    /// <param name="minRevision">Live events at or below this revision are not delivered (a watch from a future revision).</param>
    /// <returns>The subscription; its <see cref="WatchSubscription.StartRevision"/> is the last revision it will not deliver.</returns>
    public WatchSubscription Subscribe(string prefix, bool progressNotify, long minRevision)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var channel = Channel.CreateBounded<StorageEvent>(new BoundedChannelOptions(_bufferSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_gate)
        {
            var sub = new WatchSubscription(this, prefix, progressNotify, _revision, minRevision, channel);
            if (_disposed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _subscriptions.Add(sub);
            }

            return sub;
        }
    }

    /// <summary>Publishes one committed event.</summary>
    public void Publish(StorageEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_gate)
        {
            Deliver(e);
            _revision = e.Revision;
        }
    }

    /// <summary>Publishes committed events (in revision order) and then moves the hub to <paramref name="revision"/>.</summary>
    public void Publish(IReadOnlyList<StorageEvent> events, long revision)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            foreach (var e in events)
            {
                Deliver(e);
            }

            _revision = Math.Max(_revision, revision);
        }
    }

    /// <summary>Ends every watch (their streams complete normally) and stops the timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var sub in _subscriptions)
            {
                sub.Writer.TryComplete();
            }

            _subscriptions.Clear();
        }

        _timer?.Dispose();
    }

    internal void Unsubscribe(WatchSubscription sub)
    {
        lock (_gate)
        {
            _subscriptions.Remove(sub);
        }

        sub.Writer.TryComplete();
    }

    private void Deliver(StorageEvent e)
    {
        var key = e.Kv!.Key;
        for (var i = _subscriptions.Count - 1; i >= 0; i--)
        {
            var sub = _subscriptions[i];
            if (e.Revision <= sub.MinRevision || !key.StartsWith(sub.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            sub.QueuedSinceTick = true;
            if (!sub.Writer.TryWrite(e))
            {
                sub.Lagged = true;
                sub.Writer.TryComplete();
                _subscriptions.RemoveAt(i);
            }
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var sub in _subscriptions)
            {
                if (sub.ProgressNotify && !sub.QueuedSinceTick)
                {
                    sub.Writer.TryWrite(new StorageEvent(StorageEventType.Progress, null, null, _revision));
                }

                sub.QueuedSinceTick = false;
            }
        }
    }
}
