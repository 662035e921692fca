using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Discovery;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Backends' discovery merged into the server's (upstream's apis handler and aggregated discovery manager): an
/// APIService with a service adds its group/version to <c>/apis</c> (legacy <c>APIGroupList</c>, and aggregated v2
/// with the resources of the APIResourceList its last successful availability check fetched) only while it is
/// Available, so a backend that is down drops out of discovery instead of failing clients (the namespace controller
/// and the garbage collector included). Versions of a group order by versionPriority, then Kubernetes version order.
/// </summary>
internal sealed class MergedDiscovery(Aggregator aggregator)
{
    private readonly ConcurrentDictionary<string, JsonObject> _lists = new(StringComparer.Ordinal);

    /// <summary>Keeps <paramref name="resourceList"/> as the backend's discovery for APIService <paramref name="name"/>.</summary>
    public void Remember(string name, JsonObject? resourceList)
    {
        if (resourceList is null)
        {
            _lists.TryRemove(name, out _);
        }
        else
        {
            _lists[name] = resourceList;
        }
    }

    /// <summary>Drops the discovery of APIService <paramref name="name"/>.</summary>
    public void Forget(string name) => _lists.TryRemove(name, out _);

    /// <summary>The available backends' group/versions, by group, versions preferred first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<ApiServiceInfo> Versions)> RemoteGroups() =>
        aggregator.Services.Where(s => s.Service is not null && s.Available && s.Group.Length > 0)
            .GroupBy(s => s.Group)
            .OrderByDescending(g => g.Max(s => s.GroupPriorityMinimum)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<ApiServiceInfo>)g.OrderByDescending(s => s.VersionPriority).ThenBy(s => DiscoveryDocuments.VersionPriority(s.Version)).ToList()))
            .ToList();

    /// <summary><c>/apis/GROUP</c> for a group only backends serve; null when none is available.</summary>
    public JsonObject? GroupDocument(string group) =>
        RemoteGroups().FirstOrDefault(g => g.Group == group) is { Group: not null } g ? DiscoveryDocuments.ApiGroup(group, g.Versions.Select(v => v.Version).ToList()) : null;

    /// <summary>Adds the available backends' groups and versions to a legacy <c>APIGroupList</c>.</summary>
    public void MergeGroupList(JsonObject groupList)
    {
        if (groupList["groups"] is not JsonArray groups)
        {
            return;
        }

        foreach (var (group, versions) in RemoteGroups())
        {
            var existing = groups.OfType<JsonObject>().FirstOrDefault(g => JsonPath.Str(g, "name") == group);
            if (existing is null)
            {
                groups.Add(DiscoveryDocuments.ApiGroup(group, versions.Select(v => v.Version).ToList()));
                continue;
            }

            var list = existing["versions"] as JsonArray ?? [];
            foreach (var v in versions.Where(v => !list.OfType<JsonObject>().Any(x => JsonPath.Str(x, "version") == v.Version)))
            {
                list.Add(new JsonObject { ["groupVersion"] = $"{group}/{v.Version}", ["version"] = v.Version });
            }
        }
    }

    /// <summary>Adds the available backends' group/versions, with their resources, to an aggregated <c>APIGroupDiscoveryList</c>.</summary>
    public void MergeAggregated(JsonObject discoveryList)
    {
        if (discoveryList["items"] is not JsonArray items)
        {
            return;
        }

        foreach (var (group, versions) in RemoteGroups())
        {
            var item = items.OfType<JsonObject>().FirstOrDefault(i => JsonPath.Str(i, "metadata", "name") == group);
            if (item is null)
            {
                item = new JsonObject { ["metadata"] = new JsonObject { ["creationTimestamp"] = null, ["name"] = group }, ["versions"] = new JsonArray() };
                items.Add(item);
            }

            var versionArray = (JsonArray)item["versions"]!;
            foreach (var v in versions.Where(v => !versionArray.OfType<JsonObject>().Any(x => JsonPath.Str(x, "version") == v.Version)))
            {
                var list = _lists.GetValueOrDefault(v.Name);
                versionArray.Add(new JsonObject
                {
                    ["version"] = v.Version,
                    ["resources"] = list is null ? new JsonArray() : AggregatedResources(group, v.Version, list),
                    ["freshness"] = list is null ? "Stale" : "Current",
                });
            }
        }
    }

    /// <summary>A legacy APIResourceList's resources as aggregated discovery's: subresources folded into their parents.</summary>
    public static JsonArray AggregatedResources(string group, string version, JsonObject resourceList)
    {
        var entries = JsonPath.Objects(resourceList, "resources").ToList();
        var result = new JsonArray();
        foreach (var r in entries.Where(r => !(JsonPath.Str(r, "name") ?? "").Contains('/', StringComparison.Ordinal)))
        {
            var name = JsonPath.Str(r, "name") ?? "";
            var kind = JsonPath.Str(r, "kind") ?? "";
            var resource = new JsonObject
            {
                ["resource"] = name,
                ["responseKind"] = Gvk(JsonPath.Str(r, "group") ?? group, JsonPath.Str(r, "version") ?? version, kind),
                ["scope"] = JsonPath.Bool(r, "namespaced") == true ? "Namespaced" : "Cluster",
                ["singularResource"] = JsonPath.Str(r, "singularName") is { Length: > 0 } s ? s : kind.ToLowerInvariant(),
                ["verbs"] = r["verbs"]?.DeepClone() ?? new JsonArray(),
            };
            foreach (var field in new[] { "shortNames", "categories" })
            {
                if (r[field] is JsonArray a && a.Count > 0)
                {
                    resource[field] = a.DeepClone();
                }
            }

            var subresources = entries.Where(x => (JsonPath.Str(x, "name") ?? "").StartsWith(name + "/", StringComparison.Ordinal))
                .Select(x => (JsonNode)new JsonObject
                {
                    ["subresource"] = JsonPath.Str(x, "name")![(name.Length + 1)..],
                    ["responseKind"] = Gvk(JsonPath.Str(x, "group") ?? group, JsonPath.Str(x, "version") ?? version, JsonPath.Str(x, "kind") ?? ""),
                    ["verbs"] = x["verbs"]?.DeepClone() ?? new JsonArray(),
                }).ToArray();
            if (subresources.Length > 0)
            {
                resource["subresources"] = new JsonArray(subresources);
            }

            result.Add(resource);
        }

        return result;
    }

    private static JsonObject Gvk(string g, string v, string k) => new() { ["group"] = g, ["version"] = v, ["kind"] = k };
}
