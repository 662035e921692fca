using Skiff.Api.Protobuf;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>One watch event. <see cref="Type"/> is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; PROGRESS is internal
/// (the store has delivered everything up to <see cref="Revision"/>) and never sent to clients. <see cref="Source"/> is
/// the stored value the object was decoded from (shared by every watcher of the same storage event), so encoded frames
/// can be reused across watchers; null for synthetic events.</summary>
internal sealed record WatchEvent(string Type, JsonObject? Object, long Revision, KeyValue? Source = null);

internal sealed partial class GenericStore
{
    /// <summary>
    /// Watches <paramref name="ns"/> (all when empty) per upstream's starting-point rules: resourceVersion unset or
    /// "0" → synthetic ADDED events for the current state, then changes; "N" → changes after N;
    /// sendInitialEvents=true → ADDED events, a BOOKMARK marked <c>k8s.io/initial-events-end</c>, then changes.
    /// An expired starting point yields one ERROR event (410 Expired) and ends.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string ns, ListQuery q, [EnumeratorCancellation] CancellationToken ct)
    {
        var filter = Matcher(q);
        long from;
        var initial = q.SendInitialEvents ?? (q.ResourceVersion is "" or "0");
        if (initial)
        {
            var listQuery = q with { Limit = 0, Continue = "", ResourceVersionMatch = "" };
            if (q.SendInitialEvents == true && q.ResourceVersion is not ("" or "0"))
            {
                await WaitForRevisionAsync(ParseRv(q.ResourceVersion), ct).ConfigureAwait(false);
            }

            var page = await ListAsync(ns, listQuery with { ResourceVersion = "" }, ct).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return new WatchEvent("ADDED", item, ParseRv(Meta.Str(item, "resourceVersion") ?? ""));
            }

            from = page.Revision;
            if (q.SendInitialEvents == true)
            {
                yield return new WatchEvent("BOOKMARK", Bookmark(from, initialEventsEnd: true), from);
            }
        }
        else
        {
            from = ParseRv(q.ResourceVersion);
            var current = await _storage.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
            if (from > current)
            {
                await WaitForRevisionAsync(from, ct).ConfigureAwait(false);
            }
        }

        yield return new WatchEvent("PROGRESS", null, from);
        var events = _storage.WatchAsync(Prefix(ns), new WatchOptions(from, ProgressNotify: q.AllowBookmarks), ct);
        await using var e = events.GetAsyncEnumerator(ct);
        while (true)
        {
            StorageEvent ev;
            WatchEvent? error = null;
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                ev = e.Current;
            }
            catch (RevisionCompactedException ex)
            {
                error = new WatchEvent("ERROR", Expired(from, ex.CompactedRevision).ToStatus(), 0);
                ev = null!;
            }
            catch (WatchLaggedException)
            {
                yield break;
            }

            if (error is not null)
            {
                yield return error;
                yield break;
            }

            if (ev.Type == StorageEventType.Progress)
            {
                yield return new WatchEvent("PROGRESS", null, ev.Revision);
                continue;
            }

            var obj = await ReadAsync(ev.Kv!, ct).ConfigureAwait(false);
            if (ev.Type == StorageEventType.Deleted)
            {
                if (filter is null || filter(ev.PrevKv is { } pk ? await ReadAsync(pk, ct).ConfigureAwait(false) : obj))
                {
                    yield return new WatchEvent("DELETED", obj, ev.Revision, ev.Kv);
                }

                continue;
            }

            if (filter is null)
            {
                yield return new WatchEvent(ev.Type == StorageEventType.Added ? "ADDED" : "MODIFIED", obj, ev.Revision, ev.Kv);
                continue;
            }

            var nowMatches = filter(obj);
            var old = ev.Type == StorageEventType.Modified && ev.PrevKv is { } prev ? await ReadAsync(prev, ct).ConfigureAwait(false) : null;
            var oldMatches = old is not null && filter(old);
            if (nowMatches && oldMatches)
            {
                yield return new WatchEvent("MODIFIED", obj, ev.Revision, ev.Kv);
            }
            else if (nowMatches)
            {
                yield return new WatchEvent("ADDED", obj, ev.Revision, ev.Kv);
            }
            else if (oldMatches)
            {
                // Left the selector: upstream's cacheWatcher sends the previous object with the event's resourceVersion.
                Meta.Of(old!)["resourceVersion"] = ev.Revision.ToString(CultureInfo.InvariantCulture);
                yield return new WatchEvent("DELETED", old!, ev.Revision);
            }
            else
            {
                yield return new WatchEvent("PROGRESS", null, ev.Revision);
            }
        }
    }

    /// <summary>A BOOKMARK object of this resource's kind: <c>metadata.resourceVersion</c> and the fields Go always writes.</summary>
    public JsonObject Bookmark(long revision, bool initialEventsEnd = false)
    {
        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        // Upstream's bookmark is an empty typed object with the revision set, serialised as Go does (spec and status
        // of a Pod are written as {}), so a typed client can decode it like any other event object.
        var bookmark = new JsonObject { ["kind"] = Descriptor.Kind, ["apiVersion"] = Descriptor.GroupVersion, ["metadata"] = meta };
        GoJsonZeros.Fill(bookmark);
        return bookmark;
    }
}
