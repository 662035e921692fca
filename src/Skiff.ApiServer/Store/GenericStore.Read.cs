using Skiff.ApiServer.Http;
using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>One page of a list.</summary>
internal sealed record ListPage(IReadOnlyList<JsonObject> Items, long Revision, string Continue, long? RemainingItemCount);

/// <summary>One page of a list as stored versions (written as bytes; see <see cref="GenericStore.ListStoredAsync"/>).</summary>
internal sealed record RawListPage(IReadOnlyList<KeyValue> Items, long Revision, string Continue, long? RemainingItemCount);

internal sealed partial class GenericStore
{
    /// <summary>Reads one object (resourceVersion "", "0" or N: the latest state no older than N).</summary>
    /// <remarks>A resourceVersion "0" or N get is served by the watch cache when it has reached N (upstream serves them from the cacher).</remarks>
    public async Task<JsonObject> GetAsync(string ns, string name, string resourceVersion, CancellationToken ct)
    {
        var rv = ParseRv(resourceVersion);
        KeyValue? kv;
        if (resourceVersion.Length > 0 && _storage is CachingStorage cache && cache.TryGetCached(Key(ns, name), rv, out var cached))
        {
            kv = cached;
        }
        else
        {
            await WaitForRevisionAsync(rv, ct).ConfigureAwait(false);
            kv = await _storage.GetAsync(Key(ns, name), 0, ct).ConfigureAwait(false);
        }

        return kv is null ? throw NotFound(name) : await ReadAsync(kv, ct).ConfigureAwait(false);
    }

    /// <summary>Reads the current stored state, or null.</summary>
    public async Task<KeyValue?> GetRawAsync(string ns, string name, CancellationToken ct) =>
        await _storage.GetAsync(Key(ns, name), 0, ct).ConfigureAwait(false);

    /// <summary>Lists objects in <paramref name="ns"/> (all namespaces when empty) per <paramref name="q"/>.</summary>
    public async Task<ListPage> ListAsync(string ns, ListQuery q, CancellationToken ct)
    {
        var filter = Matcher(q);
        var (items, revision, token, remaining) = await ListCoreAsync(ns, q, ReadManyAsync, filter, ct).ConfigureAwait(false);
        return new ListPage(items, revision, token, remaining);
    }

    /// <summary>
    /// Lists as <see cref="ListAsync"/> does, but returns the stored versions undecoded, for a response that writes their
    /// bytes (<see cref="CanServeStored"/> must hold). Selectors read the fields scanned once per version.
    /// </summary>
    public async Task<RawListPage> ListStoredAsync(string ns, ListQuery q, CancellationToken ct)
    {
        var filter = StoredMatcher(q);
        var (items, revision, token, remaining) = await ListCoreAsync(ns, q, static (kvs, _) => ValueTask.FromResult(kvs), filter, ct).ConfigureAwait(false);
        return new RawListPage(items, revision, token, remaining);
    }

    private async Task<(List<T> Items, long Revision, string Continue, long? Remaining)> ListCoreAsync<T>(string ns, ListQuery q,
        Func<IReadOnlyList<KeyValue>, CancellationToken, ValueTask<IReadOnlyList<T>>> decode, Func<T, bool>? filter, CancellationToken ct)
    {
        var prefix = Prefix(ns);
        long revision = 0;
        string? startAfter = null;
        var limit = q.Limit;
        long? notOlderThan = null; // resourceVersion=0 / NotOlderThan: a watch cache may answer from memory
        if (q.Continue.Length > 0)
        {
            var (rv, start) = ContinueToken.Decode(q.Continue);
            revision = rv;
            startAfter = Descriptor.StoragePrefix + start;
            if (!startAfter.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw StatusErrors.BadRequest("continue key is not valid: key does not match the requested namespace");
            }
        }
        else if (q.ResourceVersion is "0")
        {
            limit = 0; // Like the watch cache: resourceVersion=0 serves everything, ignoring limit.
            notOlderThan = 0;
        }
        else if (q.ResourceVersion.Length > 0)
        {
            var rv = ParseRv(q.ResourceVersion);
            if (q.ResourceVersionMatch == "Exact")
            {
                revision = rv;
            }
            else
            {
                await WaitForRevisionAsync(rv, ct).ConfigureAwait(false);
                notOlderThan = rv;
            }
        }

        var items = new List<T>();
        string? lastKey = null;
        var hasMore = false;
        long remaining = 0;
        while (true)
        {
            ListResult page;
            try
            {
                var want = limit == 0 ? 0 : Math.Max(limit - items.Count, filter is null ? 0 : limit);
                page = await _storage.ListAsync(prefix, new ListOptions(revision, want, startAfter) { NotOlderThan = revision == 0 ? notOlderThan : null }, ct).ConfigureAwait(false);
            }
            catch (RevisionCompactedException e)
            {
                throw q.Continue.Length > 0
                    ? StatusErrors.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                    : StatusErrors.Expired($"The resourceVersion for the provided list is too old. (compacted revision {e.CompactedRevision})");
            }
            catch (FutureRevisionException e)
            {
                throw ServerErrors.TooLargeResourceVersion(e.Requested, e.CurrentRevision);
            }

            revision = page.Revision;
            var decoded = await decode(page.Items, ct).ConfigureAwait(false);
            var index = 0;
            foreach (var kv in page.Items)
            {
                var obj = decoded[index++];
                if (limit > 0 && items.Count >= limit)
                {
                    hasMore = true;
                    break;
                }

                lastKey = kv.Key;
                if (filter is null || filter(obj))
                {
                    items.Add(obj);
                }
            }

            if (hasMore || !page.HasMore)
            {
                hasMore |= page.HasMore;
                remaining = page.RemainingCount;
                break;
            }

            if (limit > 0 && items.Count >= limit)
            {
                hasMore = true;
                remaining = page.RemainingCount;
                break;
            }

            startAfter = lastKey;
        }

        var token = hasMore && lastKey is not null ? ContinueToken.Encode(revision, lastKey[Descriptor.StoragePrefix.Length..]) : "";
        long? remainingCount = hasMore && filter is null ? remaining : null;
        return (items, revision, token, remainingCount);
    }

    /// <summary>The predicate of <paramref name="q"/>'s selectors, or null when it matches everything.</summary>
    public Func<JsonObject, bool>? Matcher(ListQuery q)
    {
        if (!HasSelectors(q))
        {
            return null;
        }

        return obj => q.Labels.Matches(Meta.Labels(obj)) && q.Fields.Matches(f => f switch
        {
            "metadata.name" => Meta.Name(obj),
            "metadata.namespace" => Meta.Namespace(obj),
            _ => Strategy.SelectableFields[f](obj),
        });
    }

    /// <summary>
    /// The predicate of <paramref name="q"/>'s selectors over stored versions, or null when it matches everything:
    /// namespace, name and labels come from the version's scan (<see cref="StoredObject"/>), other selectable fields
    /// from one parse per version, shared by every reader. A version that cannot be scanned is decoded.
    /// </summary>
    public Func<KeyValue, bool>? StoredMatcher(ListQuery q)
    {
        if (!HasSelectors(q))
        {
            return null;
        }

        var fields = Strategy.SelectableFields;
        return kv =>
        {
            if (StoredObject.Of(kv) is not { } stored)
            {
                return Matcher(q)!(Read(kv));
            }

            return q.Labels.Matches(stored.Labels) && q.Fields.Matches(f => f switch
            {
                "metadata.name" => stored.Name,
                "metadata.namespace" => stored.Namespace,
                _ => stored.Field(kv, f, fields),
            });
        };
    }

    /// <summary>
    /// Whether responses may write stored bytes as they are (with the resourceVersion spliced in): the served version is
    /// the stored one, so no converter has to run.
    /// </summary>
    public bool CanServeStored => StoredObject.Enabled && Descriptor.Converter is null && _converter is null && Descriptor.StorageGroupVersion is null;

    /// <summary>Validates <paramref name="q"/>'s field selectors; false when it has no selector at all.</summary>
    private bool HasSelectors(ListQuery q)
    {
        if (q.Labels.IsEmpty && q.Fields.IsEmpty)
        {
            return false;
        }

        foreach (var field in q.Fields.Requirements.Select(r => r.Field))
        {
            if (field is not ("metadata.name" or "metadata.namespace") && !Strategy.SelectableFields.ContainsKey(field))
            {
                throw StatusErrors.BadRequest($"field label not supported: {field}");
            }
        }

        return true;
    }

    /// <summary>Parses a resourceVersion; 0 for empty.</summary>
    public static long ParseRv(string rv)
    {
        if (rv.Length == 0)
        {
            return 0;
        }

        if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 0)
        {
            throw StatusErrors.BadRequest($"Invalid value: \"{rv}\": resourceVersion must be a non-negative integer");
        }

        return n;
    }

    /// <summary>Waits up to 3 s for the store to reach <paramref name="rv"/>, then fails with upstream's 504.</summary>
    private async Task WaitForRevisionAsync(long rv, CancellationToken ct)
    {
        if (rv == 0)
        {
            return;
        }

        var deadline = _clock.GetUtcNow().AddSeconds(3);
        while (true)
        {
            var current = await _storage.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
            if (current >= rv)
            {
                return;
            }

            if (_clock.GetUtcNow() >= deadline)
            {
                throw ServerErrors.TooLargeResourceVersion(rv, current);
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Exposed for handlers that need to wrap errors.</summary>
    public static StatusException Expired(long requested, long compacted) => StatusErrors.Expired($"too old resource version: {requested} ({compacted})");
}
