using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Grpc.Core;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd;

/// <summary>Watches: one etcd watch stream per call, resumed on another member after a failure.</summary>
public sealed partial class EtcdStorage
{
    private const int WatchBuffer = 1024;

    /// <inheritdoc />
    /// <remarks>
    /// A background pump reads the etcd stream into a bounded buffer (a slow consumer slows the stream down, it is never
    /// cut off). When the member fails, the pump re-creates the watch on another member from the last delivered revision,
    /// so the sequence stays gap- and duplicate-free; only when no member answers within the request budget does the
    /// enumeration throw <see cref="StorageUnavailableException"/>. Progress events come from etcd's periodic progress
    /// notifications (the server's <c>--experimental-watch-progress-notify-interval</c>, 10 minutes by default) and, on
    /// etcd versions that order them with events (3.4.31+, 3.5.13+), from progress requests sent right after the watch is
    /// created and then every <see cref="EtcdOptions.ProgressInterval"/>.
    /// </remarks>
    public async IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        // "From now" starts after the newest revision this client has seen, so that every write it completed before this
        // call is excluded and every later one is delivered, however long the watch takes to reach etcd.
        var implicitStart = options.FromRevision <= 0 ? _connection.LastRevision : 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
        var buffer = Channel.CreateBounded<object>(new BoundedChannelOptions(WatchBuffer) { SingleReader = true, SingleWriter = true });
        var pump = Task.Run(() => PumpWatchAsync(prefix, options, implicitStart, buffer.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (true)
            {
                object item;
                try
                {
                    if (!await buffer.Reader.WaitToReadAsync(ct).ConfigureAwait(false) || !buffer.Reader.TryRead(out item!))
                    {
                        yield break;
                    }
                }
                catch (ChannelClosedException)
                {
                    yield break;
                }

                if (item is ExceptionDispatchInfo error)
                {
                    error.Throw();
                }

                yield return (StorageEvent)item;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    private async Task PumpWatchAsync(string prefix, WatchOptions options, long implicitStart, ChannelWriter<object> output, CancellationToken ct)
    {
        var (start, end) = EtcdKeys.PrefixRange(prefix, null);
        var last = options.FromRevision > 0 ? options.FromRevision : implicitStart;
        var established = false;
        var failures = 0;
        var failingSince = DateTime.MinValue;
        Exception? lastError = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var endpoint = _connection.Preferred;
                try
                {
                    using var call = endpoint.Watch.Watch(EtcdConnection.Headers, cancellationToken: ct);
                    var create = new WatchCreateRequest
                    {
                        Key = start,
                        RangeEnd = end,
                        StartRevision = established || last > 0 ? last + 1 : 0,
                        PrevKv = true,
                        ProgressNotify = options.ProgressNotify,
                    };
                    await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, ct).ConfigureAwait(false);
                    using var progress = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    Task? progressLoop = null;
                    try
                    {
                        while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                        {
                            var response = call.ResponseStream.Current;
                            _connection.Observe(response.Header);
                            if (response.CompactRevision != 0)
                            {
                                RaiseCompacted(response.CompactRevision);
                                if (!established && options.FromRevision <= 0)
                                {
                                    // The implicit start was too old: start from etcd's current revision instead.
                                    last = 0;
                                    throw new RpcException(new Status(StatusCode.Unavailable, "implicit start revision compacted"));
                                }

                                throw new RevisionCompactedException(last, response.CompactRevision);
                            }

                            if (response.Created)
                            {
                                failures = 0;
                                if (!established)
                                {
                                    established = true;
                                    if (options.FromRevision > response.Header.Revision)
                                    {
                                        throw new FutureRevisionException(options.FromRevision, response.Header.Revision);
                                    }

                                    last = last > 0 ? last : response.Header.Revision;
                                }

                                if (options.ProgressNotify && _orderedProgressRequests)
                                {
                                    progressLoop = RequestProgressAsync(call.RequestStream, progress.Token);
                                }

                                continue;
                            }

                            if (response.Canceled)
                            {
                                throw new RpcException(new Status(StatusCode.Unavailable, "watch canceled: " + response.CancelReason));
                            }

                            if (response.Events.Count == 0)
                            {
                                // Progress: every event up to this revision has been delivered on this stream.
                                last = Math.Max(last, response.Header.Revision);
                                if (options.ProgressNotify)
                                {
                                    await output.WriteAsync(new StorageEvent(StorageEventType.Progress, null, null, last), ct).ConfigureAwait(false);
                                }

                                continue;
                            }

                            foreach (var ev in response.Events)
                            {
                                var mapped = EtcdKeys.ToEvent(ev);
                                await output.WriteAsync(mapped, ct).ConfigureAwait(false);
                                last = mapped.Revision;
                            }
                        }

                        throw new RpcException(new Status(StatusCode.Unavailable, "watch stream ended"));
                    }
                    finally
                    {
                        await progress.CancelAsync().ConfigureAwait(false);
                        if (progressLoop is not null)
                        {
                            await progressLoop.ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && IsTransient(ex))
                {
                    lastError = ex;
                    _connection.MarkFailed(endpoint);
                    if (failures++ == 0)
                    {
                        failingSince = DateTime.UtcNow;
                    }
                    else if (DateTime.UtcNow - failingSince > _connection.Options.RequestTimeout)
                    {
                        throw _connection.Unavailable("watch", lastError);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(failures, 6))), ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            var error = ex is StorageException ? ex : new StorageException($"etcd watch of {prefix} failed: {EtcdErrors.Describe(ex)}", ex);
            await TryWriteAsync(output, ExceptionDispatchInfo.Capture(error), ct).ConfigureAwait(false);
        }
        finally
        {
            output.TryComplete();
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is HttpRequestException or IOException || (ex is RpcException rpc && EtcdErrors.IsRetryable(rpc));

    private async Task RequestProgressAsync(IClientStreamWriter<WatchRequest> requests, CancellationToken ct)
    {
        // Only this loop writes after the create request, so writes never overlap.
        using var timer = new PeriodicTimer(_connection.Options.ProgressInterval);
        try
        {
            var request = new WatchRequest { ProgressRequest = new WatchProgressRequest() };
            do
            {
                await requests.WriteAsync(request, ct).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException or IOException)
        {
            // The stream ended or the watch stopped; the reader side handles reconnection.
        }
    }

    private static async Task TryWriteAsync(ChannelWriter<object> output, object item, CancellationToken ct)
    {
        // Cancellation means the consumer is gone: nobody is left to see the error.
        try
        {
            await output.WriteAsync(item, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
