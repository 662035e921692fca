using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Client.Cache;

/// <summary>
/// Keeps a store in step with the server (client-go <c>reflector.go</c>): lists (page by page), replaces the store with
/// the result, then watches from the list's resourceVersion with bookmarks, applying each event. When a watch ends it
/// re-watches from the last resourceVersion seen (bookmarks included); when the server says that version is gone
/// (410 Expired/Gone) it relists from scratch. Failures back off exponentially on the injected clock. Resync is
/// triggered every <see cref="ReflectorOptions.ResyncPeriod"/>. With <see cref="ReflectorOptions.UseWatchList"/> the list
/// is a streaming list instead (see <c>Reflector.WatchList.cs</c>).
/// </summary>
public sealed partial class Reflector<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListerWatcher<T> _lw;
    private readonly IReflectorStore<T> _store;
    private readonly ReflectorOptions _options;
    private readonly ILogger _logger;
    private string _lastSyncResourceVersion = "";

    public Reflector(IListerWatcher<T> listerWatcher, IReflectorStore<T> store, ReflectorOptions? options = null, ILogger? logger = null)
    {
        _lw = listerWatcher;
        _store = store;
        _options = options ?? new ReflectorOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The resourceVersion of the last list, event or bookmark applied.</summary>
    public string LastSyncResourceVersion => Volatile.Read(ref _lastSyncResourceVersion);

    /// <summary>Runs until <paramref name="ct"/> is cancelled; then completes (it does not throw on cancellation).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var time = _options.TimeProvider;
        using var resync = _options.ResyncPeriod > TimeSpan.Zero
            ? time.CreateTimer(_ => _store.Resync(), null, _options.ResyncPeriod, _options.ResyncPeriod)
            : null;
        var backoff = _options.InitialBackoff;
        var needList = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    var stream = await TryWatchListAsync(ct).ConfigureAwait(false);
                    if (stream is not null)
                    {
                        needList = false;
                        await using (stream.ConfigureAwait(false))
                        {
                            await ApplyAsync(stream, ct).ConfigureAwait(false);
                        }

                        backoff = _options.InitialBackoff;
                        continue;
                    }

                    await ListAsync(ct).ConfigureAwait(false);
                    needList = false;
                }

                await WatchAsync(ct).ConfigureAwait(false);
                backoff = _options.InitialBackoff;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiErrors.IsResourceExpired(e) || ApiErrors.IsGone(e))
            {
                LogRelist(_options.Name, LastSyncResourceVersion, e.Message);
                needList = true;
            }
            catch (Exception e)
            {
                LogFailure(_options.Name, needList ? "list" : "watch", e.Message);
                try
                {
                    await Task.Delay(backoff, time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    private async Task ListAsync(CancellationToken ct)
    {
        var items = new List<T>();
        string? cont = null;
        string rv;
        do
        {
            var page = await _lw.ListAsync(
                new ListOptions
                {
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    Limit = _options.PageSize > 0 ? _options.PageSize : null,
                    Continue = cont,
                },
                ct).ConfigureAwait(false);
            items.AddRange(page.Items);
            rv = page.ResourceVersion;
            cont = page.Continue;
        }
        while (!string.IsNullOrEmpty(cont));

        // The revision first: Replace marks the store synced, and a caller woken by that reads it.
        Volatile.Write(ref _lastSyncResourceVersion, rv);
        _store.Replace(items, rv);
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        var jitter = Random.Shared.NextDouble();
        var options = new ListOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ResourceVersion = LastSyncResourceVersion,
            AllowWatchBookmarks = true,
            TimeoutSeconds = (long)(_options.MinWatchTimeout.TotalSeconds * (1 + jitter)),
        };
        var stream = _lw.WatchAsync(options, ct).GetAsyncEnumerator(ct);
        await using (stream.ConfigureAwait(false))
        {
            await ApplyAsync(stream, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Applies every remaining event of a watch stream to the store, tracking the last resourceVersion.</summary>
    private async Task ApplyAsync(IAsyncEnumerator<WatchEvent<T>> stream, CancellationToken ct)
    {
        while (await stream.MoveNextAsync().ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            var ev = stream.Current;
            switch (ev.Type)
            {
                case WatchEventType.Added:
                    _store.Add(ev.Object);
                    break;
                case WatchEventType.Modified:
                    _store.Update(ev.Object);
                    break;
                case WatchEventType.Deleted:
                    _store.Delete(ev.Object);
                    break;
                case WatchEventType.Bookmark:
                    break;
                default:
                    continue;
            }

            if (ev.Object.Metadata?.ResourceVersion is { Length: > 0 } rv)
            {
                Volatile.Write(ref _lastSyncResourceVersion, rv);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: resourceVersion {ResourceVersion} is gone ({Reason}); relisting")]
    private partial void LogRelist(string name, string resourceVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: {Operation} failed: {Error}")]
    private partial void LogFailure(string name, string operation, string error);
}
