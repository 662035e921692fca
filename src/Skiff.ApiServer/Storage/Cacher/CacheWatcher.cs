using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// One watch served by a <see cref="WatchCache"/>: the replayed events, then the live events the cache queues into its
/// bounded buffer. The cache writes under its own lock and never waits there: an event that finds the buffer full is
/// held in <see cref="Pending"/> (later events queue behind it, in order) and the cache's dispatcher waits for room
/// outside the lock, within its <see cref="DispatchBudget"/>, then cuts the watcher off (upstream's cacheWatcher.add).
/// </summary>
internal sealed class CacheWatcher
{
    private readonly Channel<StorageEvent> _channel;
    private EndReason _end;
    private long _endRevision;

    public CacheWatcher(string prefix, bool progressNotify, long minRevision, long startRevision, int bufferSize)
    {
        Prefix = prefix;
        ProgressNotify = progressNotify;
        MinRevision = minRevision;
        StartRevision = startRevision;
        _channel = Channel.CreateBounded<StorageEvent>(new BoundedChannelOptions(bufferSize)
        {
            SingleReader = true,
            SingleWriter = false, // written under the cache's lock, waited on for room by the dispatcher outside it
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    private enum EndReason
    {
        None,
        Lagged,
        Compacted,
    }

    /// <summary>The watched prefix (under the cache's prefix).</summary>
    public string Prefix { get; }

    public bool ProgressNotify { get; }

    /// <summary>Events at or below this revision are not delivered (the revision the watch starts after).</summary>
    public long MinRevision { get; }

    /// <summary>The cache's revision at registration: the replay covers up to it, live events come after it.</summary>
    public long StartRevision { get; }

    /// <summary>Whether anything was queued since the last progress tick (cache lock).</summary>
    public bool QueuedSinceTick { get; set; }

    /// <summary>
    /// Events that found the buffer full, oldest first, waiting for the dispatcher (cache lock); null when none. While
    /// it is non-null every new event joins it, so the watcher's order is kept.
    /// </summary>
    public Queue<StorageEvent>? Pending { get; set; }

    /// <summary>Queues an event; false when the buffer is full.</summary>
    public bool TryWrite(StorageEvent e) => _channel.Writer.TryWrite(e);

    /// <summary>Waits until the buffer has room (outside the cache's lock); false when the watcher was closed meanwhile.</summary>
    public ValueTask<bool> WaitToWriteAsync(CancellationToken ct) => _channel.Writer.WaitToWriteAsync(ct);

    /// <summary>Ends the stream after the buffered events; normally (disposal) or with a reason the reader turns into an exception.</summary>
    public void Close() => _channel.Writer.TryComplete();

    /// <summary>Ends the stream because the watcher fell behind.</summary>
    public void CloseLagged()
    {
        _end = EndReason.Lagged;
        _channel.Writer.TryComplete();
    }

    /// <summary>Ends the stream because the cache relisted at <paramref name="revision"/> and cannot continue it without a gap.</summary>
    public void CloseCompacted(long revision)
    {
        _end = EndReason.Compacted;
        _endRevision = revision;
        _channel.Writer.TryComplete();
    }

    /// <summary>
    /// Yields <paramref name="replay"/>, then a progress event when asked for, then the live events; throws
    /// <see cref="WatchLaggedException"/> or <see cref="RevisionCompactedException"/> after the buffered events when the
    /// cache cut the watcher off. Calls <paramref name="onDone"/> when the enumeration ends in any way.
    /// </summary>
    public async IAsyncEnumerable<StorageEvent> ReadAsync(
        IReadOnlyList<StorageEvent>? replay, Action<CacheWatcher> onDone, [EnumeratorCancellation] CancellationToken ct)
    {
        var last = MinRevision;
        try
        {
            if (replay is not null)
            {
                foreach (var e in replay)
                {
                    ct.ThrowIfCancellationRequested();
                    last = e.Revision;
                    yield return e;
                }
            }

            if (ProgressNotify)
            {
                last = Math.Max(last, StartRevision);
                yield return new StorageEvent(StorageEventType.Progress, null, null, last);
            }

            // Waits without the token: a channel reuses its one waiter only for an uncancellable wait (a cancellable one
            // allocates a waiter and a registration per wait — per watcher per batch). Cancellation completes the channel
            // instead (one registration per watch), which wakes the wait; it is then reported as cancellation.
            var reader = _channel.Reader;
            using (ct.UnsafeRegister(static s => ((Channel<StorageEvent>)s!).Writer.TryComplete(), _channel))
            {
                while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    while (reader.TryRead(out var e))
                    {
                        ct.ThrowIfCancellationRequested();
                        last = Math.Max(last, e.Revision);
                        yield return e;
                    }
                }
            }

            ct.ThrowIfCancellationRequested();

            // The writer completed: the fields were set before TryComplete, which publishes them to this reader.
            switch (_end)
            {
                case EndReason.Lagged:
                    throw new WatchLaggedException(last);
                case EndReason.Compacted:
                    throw new RevisionCompactedException(last, _endRevision);
            }
        }
        finally
        {
            onDone(this);
        }
    }
}
