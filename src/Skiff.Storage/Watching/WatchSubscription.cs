using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Skiff.Storage.Watching;

/// <summary>
/// One watcher registered with a <see cref="WatchHub"/>: the live events after <see cref="StartRevision"/>, preceded
/// by the replay the backend supplies to <see cref="ReadAsync"/>.
/// </summary>
public sealed class WatchSubscription
{
    private readonly WatchHub _hub;
    private readonly Channel<StorageEvent> _channel;

    internal WatchSubscription(WatchHub hub, string prefix, bool progressNotify, long startRevision, long minRevision, Channel<StorageEvent> channel)
    {
        _hub = hub;
        Prefix = prefix;
        ProgressNotify = progressNotify;
        StartRevision = startRevision;
        MinRevision = minRevision;
        _channel = channel;
    }

    /// <summary>The watched key prefix.</summary>
    public string Prefix { get; }

    /// <summary>The last revision published before the subscription: live delivery starts after it.</summary>
    public long StartRevision { get; }

    internal bool ProgressNotify { get; }

    internal long MinRevision { get; }

    internal ChannelWriter<StorageEvent> Writer => _channel.Writer;

    internal bool Lagged { get; set; }

    internal bool QueuedSinceTick { get; set; }

    /// <summary>
    /// Yields <paramref name="replay"/> (events up to <see cref="StartRevision"/>, supplied by the backend), then a
    /// progress event when asked for, then the live events. Ends when <paramref name="ct"/> is cancelled or the hub is
    /// disposed; throws <see cref="WatchLaggedException"/> when the watcher was cut off. Unsubscribes when done.
    /// </summary>
    public async IAsyncEnumerable<StorageEvent> ReadAsync(IAsyncEnumerable<StorageEvent>? replay, [EnumeratorCancellation] CancellationToken ct)
    {
        var last = Math.Max(StartRevision, MinRevision);
        try
        {
            if (replay is not null)
            {
                await foreach (var e in replay.WithCancellation(ct).ConfigureAwait(false))
                {
                    yield return e;
                }
            }

            if (ProgressNotify)
            {
                yield return new StorageEvent(StorageEventType.Progress, null, null, StartRevision);
            }

            var reader = _channel.Reader;
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var e))
                {
                    last = e.Revision;
                    yield return e;
                }
            }

            if (Lagged)
            {
                throw new WatchLaggedException(last);
            }
        }
        finally
        {
            _hub.Unsubscribe(this);
        }
    }
}
