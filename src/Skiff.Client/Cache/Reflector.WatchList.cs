using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Client.Cache;

/// <summary>
/// The streaming-list half of the reflector (client-go <c>reflector.watchList</c>, KEP-3157): a WATCH with
/// <c>sendInitialEvents=true</c>, <c>resourceVersionMatch=NotOlderThan</c> and bookmarks, whose initial ADDED events are
/// gathered into a temporary set until the BOOKMARK annotated <c>k8s.io/initial-events-end: "true"</c>; then the store
/// is replaced with that set at the bookmark's resourceVersion and the same stream goes on to carry live changes.
/// </summary>
public sealed partial class Reflector<T>
{
    /// <summary>The annotation on the bookmark that ends a streaming list's initial events.</summary>
    public const string InitialEventsEndAnnotation = "k8s.io/initial-events-end";

    private bool _watchListRefused;

    /// <summary>True after the server refused a streaming list (400/422); the reflector then always uses LIST.</summary>
    public bool WatchListRefused => Volatile.Read(ref _watchListRefused);

    /// <summary>
    /// When streaming lists are enabled and not refused, syncs the store through one and returns the stream positioned
    /// after the initial-events-end bookmark (the caller consumes the rest). Returns null when the caller must LIST
    /// instead: disabled, refused by the server (remembered), or the stream failed or ended before the bookmark.
    /// Throws only on cancellation.
    /// </summary>
    private async Task<IAsyncEnumerator<WatchEvent<T>>?> TryWatchListAsync(CancellationToken ct)
    {
        if (!_options.UseWatchList || WatchListRefused)
        {
            return null;
        }

        var jitter = Random.Shared.NextDouble();
        var options = new ListOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ResourceVersion = LastSyncResourceVersion,
            ResourceVersionMatch = "NotOlderThan",
            SendInitialEvents = true,
            AllowWatchBookmarks = true,
            TimeoutSeconds = (long)(_options.MinWatchTimeout.TotalSeconds * (1 + jitter)),
        };
        var stream = _lw.WatchAsync(options, ct).GetAsyncEnumerator(ct);
        var initial = new Dictionary<string, T>(StringComparer.Ordinal);
        try
        {
            while (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                var ev = stream.Current;
                switch (ev.Type)
                {
                    case WatchEventType.Added:
                    case WatchEventType.Modified:
                        initial[ObjectKeys.KeyOf(ev.Object)] = ev.Object;
                        break;
                    case WatchEventType.Deleted:
                        initial.Remove(ObjectKeys.KeyOf(ev.Object));
                        break;
                    case WatchEventType.Bookmark when IsInitialEventsEnd(ev.Object):
                        var rv = ev.Object.Metadata?.ResourceVersion ?? "";
                        // The revision first: Replace marks the store synced, and a caller woken by that reads it.
                        Volatile.Write(ref _lastSyncResourceVersion, rv);
                        _store.Replace([.. initial.Values], rv);
                        return stream;
                }
            }

            LogWatchListFallback(_options.Name, "the watch ended before the initial-events-end bookmark");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            if (ApiErrors.IsInvalid(e) || ApiErrors.IsBadRequest(e))
            {
                Volatile.Write(ref _watchListRefused, true);
            }
            else if (ApiErrors.IsResourceExpired(e) || ApiErrors.IsGone(e))
            {
                Volatile.Write(ref _lastSyncResourceVersion, "");
            }

            LogWatchListFallback(_options.Name, e.Message);
        }

        await stream.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private static bool IsInitialEventsEnd(T bookmark)
        => bookmark.Metadata?.Annotations is { } a
           && a.TryGetValue(InitialEventsEndAnnotation, out var v)
           && string.Equals(v, "true", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: the streaming list failed, falling back to LIST: {Reason}")]
    private partial void LogWatchListFallback(string name, string reason);
}
