using Skiff.Api.Protobuf;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>One watch event. <see cref="Type"/> is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; PROGRESS is internal
/// (the store has delivered everything up to <see cref="Revision"/>) and never sent to clients. <see cref="Source"/> is
/// the stored value the object was decoded from (shared by every watcher of the same storage event), so encoded frames
/// can be reused across watchers; null for synthetic events. A key event with a <see cref="Source"/> and no
/// <see cref="Object"/> is served from the stored bytes with <see cref="Revision"/> spliced in (see
/// <see cref="GenericStore.WatchAsync"/>).</summary>
internal sealed record WatchEvent(string Type, JsonObject? Object, long Revision, KeyValue? Source = null)
{
    /// <summary>The event's revision differs from <see cref="Source"/>'s (an object leaving a selector): its frame is not shared.</summary>
    public bool Spliced { get; init; }
}

internal sealed partial class GenericStore
{
    /// <summary>
    /// Watches <paramref name="ns"/> (all when empty) per upstream's starting-point rules: resourceVersion unset or
    /// "0" → synthetic ADDED events for the current state, then changes; "N" → changes after N;
    /// sendInitialEvents=true → ADDED events, a BOOKMARK marked <c>k8s.io/initial-events-end</c>, then changes.
    /// An expired starting point yields one ERROR event (410 Expired) and ends.
    /// </summary>
    public IAsyncEnumerable<WatchEvent> WatchAsync(string ns, ListQuery q, CancellationToken ct) => WatchAsync(ns, q, stored: false, ct);

    /// <inheritdoc cref="WatchAsync(string, ListQuery, CancellationToken)"/>
    /// <remarks>
    /// With <paramref name="stored"/> (and <see cref="CanServeStored"/>) key events carry no decoded object: their
    /// <see cref="WatchEvent.Source"/> is the stored version, written as its bytes with the revision spliced in, and
    /// selectors read the fields scanned once per version; nothing is parsed per watcher.
    /// </remarks>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string ns, ListQuery q, bool stored, [EnumeratorCancellation] CancellationToken ct)
    {
        stored &= CanServeStored;
        var filter = Matcher(q);
        var storedFilter = stored ? StoredMatcher(q) : null;
        long from;
        var initial = q.SendInitialEvents ?? (q.ResourceVersion is "" or "0");
        if (initial)
        {
            var listQuery = q with { Limit = 0, Continue = "", ResourceVersionMatch = "" };
            if (q.SendInitialEvents == true && q.ResourceVersion is not ("" or "0"))
            {
                await WaitForRevisionAsync(ParseRv(q.ResourceVersion), ct).ConfigureAwait(false);
            }

            if (stored)
            {
                var raw = await ListStoredAsync(ns, listQuery with { ResourceVersion = "" }, ct).ConfigureAwait(false);
                foreach (var kv in raw.Items)
                {
                    yield return new WatchEvent("ADDED", null, kv.ModRevision, kv);
                }

                from = raw.Revision;
            }
            else
            {
                var page = await ListAsync(ns, listQuery with { ResourceVersion = "" }, ct).ConfigureAwait(false);
                foreach (var item in page.Items)
                {
                    yield return new WatchEvent("ADDED", item, ParseRv(Meta.Str(item, "resourceVersion") ?? ""));
                }

                from = page.Revision;
            }

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

            if (stored)
            {
                yield return StoredEvent(ev, storedFilter);
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

    /// <summary>
    /// A key event as stored versions, per upstream's cacheWatcher: with a selector, a version that starts matching is
    /// ADDED, one that stops matching is DELETED with the previous version at the event's revision, and an event that
    /// matches neither way becomes PROGRESS (the watcher's revision still moves).
    /// </summary>
    private static WatchEvent StoredEvent(StorageEvent ev, Func<KeyValue, bool>? filter)
    {
        var kv = ev.Kv!;
        if (ev.Type == StorageEventType.Deleted)
        {
            return filter is null || filter(ev.PrevKv ?? kv) ? new WatchEvent("DELETED", null, ev.Revision, kv) : new WatchEvent("PROGRESS", null, ev.Revision);
        }

        if (filter is null)
        {
            return new WatchEvent(ev.Type == StorageEventType.Added ? "ADDED" : "MODIFIED", null, ev.Revision, kv);
        }

        var nowMatches = filter(kv);
        var oldMatches = ev.Type == StorageEventType.Modified && ev.PrevKv is { } prev && filter(prev);
        return (nowMatches, oldMatches) switch
        {
            (true, true) => new WatchEvent("MODIFIED", null, ev.Revision, kv),
            (true, false) => new WatchEvent("ADDED", null, ev.Revision, kv),
            (false, true) => new WatchEvent("DELETED", null, ev.Revision, ev.PrevKv) { Spliced = true },
            _ => new WatchEvent("PROGRESS", null, ev.Revision),
        };
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
