using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>
/// Reads the server's API discovery (client-go <c>discovery.DiscoveryClient</c> with its memory cache): aggregated
/// discovery (<c>apidiscovery.k8s.io/v2</c>, two requests) when the server offers it, else the legacy endpoints
/// (<c>/api</c>, <c>/apis</c> and one request per group version, in parallel). The document is cached until
/// <see cref="Invalidate"/> or until <see cref="DiscoveryClientOptions.CacheTtl"/> passes; concurrent callers share one
/// fetch, and a failed fetch is not cached. Thread-safe.
/// </summary>
public sealed class DiscoveryClient
{
    /// <summary>The Accept header for aggregated discovery, falling back to plain JSON (legacy documents).</summary>
    public const string AggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private readonly RestClient _rest;
    private readonly DiscoveryClientOptions _options;
    private readonly object _lock = new();
    private Task<DiscoveryDocument>? _cached;
    private long _fetchedAt;
    private int _fetches;

    public DiscoveryClient(RestClient rest, DiscoveryClientOptions? options = null)
    {
        _rest = rest;
        _options = options ?? new DiscoveryClientOptions();
    }

    /// <summary>How many times the document has been fetched from the server.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>The discovery document, from the cache when it is fresh.</summary>
    public Task<DiscoveryDocument> GetAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            var time = _options.TimeProvider;
            var fresh = _cached is { IsFaulted: false, IsCanceled: false }
                && (_options.CacheTtl == Timeout.InfiniteTimeSpan || time.GetElapsedTime(_fetchedAt) < _options.CacheTtl);
            if (!fresh)
            {
                _fetchedAt = time.GetTimestamp();
                Interlocked.Increment(ref _fetches);

                // Shared by concurrent callers, so not tied to one caller's token.
                _cached = FetchAsync(CancellationToken.None);
            }

            return _cached!.WaitAsync(ct);
        }
    }

    /// <summary>Drops the cached document; the next call refetches (client-go <c>Invalidate</c>).</summary>
    public void Invalidate()
    {
        lock (_lock)
        {
            _cached = null;
        }
    }

    /// <summary>The server's <c>/version</c>.</summary>
    public async Task<VersionInfo> ServerVersionAsync(CancellationToken ct = default)
        => (await _rest.Get().AbsPath("/version").DoAsync(ct).ConfigureAwait(false)).Into<VersionInfo>();

    private async Task<DiscoveryDocument> FetchAsync(CancellationToken ct)
    {
        if (_options.PreferAggregated)
        {
            var core = await GetJsonAsync("/api", AggregatedAccept, ct).ConfigureAwait(false);
            if (IsAggregated(core))
            {
                var apis = await GetJsonAsync("/apis", AggregatedAccept, ct).ConfigureAwait(false);
                if (IsAggregated(apis))
                {
                    var groups = new List<DiscoveredGroup>();
                    var resources = new List<DiscoveredResource>();
                    ParseAggregated(core, groups, resources);
                    ParseAggregated(apis, groups, resources);
                    return new DiscoveryDocument(groups, resources, DiscoverySource.Aggregated);
                }
            }
        }

        return await FetchLegacyAsync(ct).ConfigureAwait(false);
    }

    private async Task<DiscoveryDocument> FetchLegacyAsync(CancellationToken ct)
    {
        var api = await GetJsonAsync("/api", "application/json", ct).ConfigureAwait(false);
        var apis = await GetJsonAsync("/apis", "application/json", ct).ConfigureAwait(false);
        var groups = new List<DiscoveredGroup>();
        var coreVersions = Strings(api["versions"]);
        if (coreVersions.Count > 0)
        {
            groups.Add(new DiscoveredGroup("", coreVersions));
        }

        foreach (var g in (apis["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)g["name"] ?? "";
            var preferred = (string?)g["preferredVersion"]?["version"];
            var versions = (g["versions"] as JsonArray ?? []).Select(v => (string?)v?["version"]).OfType<string>().ToList();
            if (preferred is not null && versions.Remove(preferred))
            {
                versions.Insert(0, preferred);
            }

            if (versions.Count > 0)
            {
                groups.Add(new DiscoveredGroup(name, versions));
            }
        }

        var fetches = groups.SelectMany(g => g.Versions.Select(v => (Group: g.Name, Version: v)))
            .Select(async gv =>
            {
                var path = gv.Group.Length == 0 ? $"/api/{gv.Version}" : $"/apis/{gv.Group}/{gv.Version}";
                var list = await GetJsonAsync(path, "application/json", ct).ConfigureAwait(false);
                return ParseResourceList(gv.Group, gv.Version, list);
            });
        var lists = await Task.WhenAll(fetches).ConfigureAwait(false);
        return new DiscoveryDocument(groups, [.. lists.SelectMany(l => l)], DiscoverySource.Legacy);
    }

    private async Task<JsonObject> GetJsonAsync(string path, string accept, CancellationToken ct)
    {
        var result = await _rest.Get().AbsPath(path).Accept(accept).DoAsync(ct).ConfigureAwait(false);
        return result.Into<JsonObject>();
    }

    private static bool IsAggregated(JsonObject doc) => (string?)doc["kind"] == "APIGroupDiscoveryList";

    private static void ParseAggregated(JsonObject doc, List<DiscoveredGroup> groups, List<DiscoveredResource> resources)
    {
        foreach (var item in (doc["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var group = (string?)item["metadata"]?["name"] ?? "";
            var versions = new List<string>();
            foreach (var v in (item["versions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var version = (string?)v["version"] ?? "";
                versions.Add(version);
                foreach (var r in (v["resources"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var plural = (string?)r["resource"] ?? "";
                    var kind = (string?)r["responseKind"]?["kind"] ?? "";
                    resources.Add(new DiscoveredResource
                    {
                        Resource = new GroupVersionResource(group, version, plural),
                        Kind = new GroupVersionKind(group, version, kind),
                        SingularName = (string?)r["singularResource"] is { Length: > 0 } s ? s : kind.ToLowerInvariant(),
                        Namespaced = (string?)r["scope"] == "Namespaced",
                        Verbs = Strings(r["verbs"]),
                        ShortNames = Strings(r["shortNames"]),
                        Categories = Strings(r["categories"]),
                        Subresources = [.. (r["subresources"] as JsonArray ?? []).Select(s => (string?)s?["subresource"]).OfType<string>()],
                    });
                }
            }

            if (versions.Count > 0)
            {
                groups.Add(new DiscoveredGroup(group, versions));
            }
        }
    }

    private static List<DiscoveredResource> ParseResourceList(string group, string version, JsonObject list)
    {
        var all = (list["resources"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var result = new List<DiscoveredResource>();
        foreach (var r in all)
        {
            var name = (string?)r["name"] ?? "";
            if (name.Contains('/', StringComparison.Ordinal))
            {
                continue;
            }

            var kind = (string?)r["kind"] ?? "";
            result.Add(new DiscoveredResource
            {
                Resource = new GroupVersionResource(group, version, name),
                Kind = new GroupVersionKind(group, version, kind),
                SingularName = (string?)r["singularName"] is { Length: > 0 } s ? s : kind.ToLowerInvariant(),
                Namespaced = (bool?)r["namespaced"] ?? false,
                Verbs = Strings(r["verbs"]),
                ShortNames = Strings(r["shortNames"]),
                Categories = Strings(r["categories"]),
                Subresources = [.. all.Select(x => (string?)x["name"] ?? "").Where(n => n.StartsWith(name + "/", StringComparison.Ordinal)).Select(n => n[(name.Length + 1)..])],
            });
        }

        return result;
    }

    private static List<string> Strings(JsonNode? node) => [.. (node as JsonArray ?? []).Select(n => (string?)n).OfType<string>()];
}
