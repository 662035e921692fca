using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Discovery;

/// <summary>
/// Builds the discovery documents from the registry: legacy (<c>APIVersions</c>, <c>APIGroupList</c>,
/// <c>APIGroup</c>, <c>APIResourceList</c>) and aggregated (<c>apidiscovery.k8s.io/v2 APIGroupDiscoveryList</c>).
/// </summary>
public static class DiscoveryDocuments
{
    /// <summary>The Content-Type of aggregated discovery v2 responses.</summary>
    public const string AggregatedV2ContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /// <summary>The Content-Type of aggregated discovery v2beta1 responses.</summary>
    public const string AggregatedV2Beta1ContentType = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    /// <summary>Non-core groups with their versions, preferred first.</summary>
    public static IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups(IReadOnlyList<ResourceDescriptor> all) =>
        all.Where(d => d.Group.Length > 0)
            .GroupBy(d => d.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(d => d.Version).Distinct().OrderBy(VersionPriority).ToList()))
            .ToList();

    /// <summary>Kubernetes version ordering: GA before beta before alpha, higher numbers first.</summary>
    public static (int, int, int) VersionPriority(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!m.Success)
        {
            return (3, 0, 0);
        }

        var major = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var stage = m.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (stage, -major, -minor);
    }

    /// <summary><c>/api</c>, legacy.</summary>
    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary><c>/apis</c>, legacy.</summary>
    public static JsonObject ApiGroupList(IReadOnlyList<ResourceDescriptor> all) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(Groups(all).Select(g => (JsonNode)ApiGroup(g.Group, g.Versions)).ToArray()),
    };

    /// <summary><c>/apis/&lt;group&gt;</c>, legacy.</summary>
    public static JsonObject ApiGroup(string group, IReadOnlyList<string> versions) => new()
    {
        ["kind"] = "APIGroup",
        ["apiVersion"] = "v1",
        ["name"] = group,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray()),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
    };

    /// <summary><c>/api/v1</c> or <c>/apis/&lt;g&gt;/&lt;v&gt;</c>, legacy; subresources whose kind lives elsewhere carry group and version.</summary>
    public static JsonObject ApiResourceList(string group, string version, IReadOnlyList<ResourceDescriptor> all)
    {
        var resources = new JsonArray();
        foreach (var d in all.Where(d => d.Group == group && d.Version == version))
        {
            var r = new JsonObject
            {
                ["name"] = d.Resource,
                ["singularName"] = d.SingularName,
                ["namespaced"] = d.Namespaced,
                ["kind"] = d.Kind,
                ["verbs"] = Strings(d.Verbs),
            };
            if (d.ShortNames.Count > 0)
            {
                r["shortNames"] = Strings(d.ShortNames);
            }

            if (d.Categories.Count > 0)
            {
                r["categories"] = Strings(d.Categories);
            }

            if (d.Stored)
            {
                r["storageVersionHash"] = d.StorageVersionHash;
            }

            resources.Add(r);
            foreach (var s in d.Subresources)
            {
                var sr = new JsonObject
                {
                    ["name"] = $"{d.Resource}/{s.Name}",
                    ["singularName"] = "",
                    ["namespaced"] = d.Namespaced,
                };
                if (s.Group != d.Group || s.Version != d.Version)
                {
                    sr["group"] = s.Group;
                    sr["version"] = s.Version;
                }

                sr["kind"] = s.Kind;
                sr["verbs"] = Strings(s.Verbs);
                resources.Add(sr);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>Aggregated discovery for <c>/api</c> (<paramref name="core"/>) or <c>/apis</c>.</summary>
    public static JsonObject Aggregated(IReadOnlyList<ResourceDescriptor> all, bool core, string apiVersion = "apidiscovery.k8s.io/v2")
    {
        var items = new JsonArray();
        var groups = core ? [("", (IReadOnlyList<string>)["v1"])] : Groups(all);
        foreach (var (group, versions) in groups)
        {
            var versionArray = new JsonArray();
            foreach (var v in versions)
            {
                var resources = new JsonArray();
                foreach (var d in all.Where(d => d.Group == group && d.Version == v))
                {
                    var r = new JsonObject
                    {
                        ["resource"] = d.Resource,
                        ["responseKind"] = Gvk(d.Group, d.Version, d.Kind),
                        ["scope"] = d.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = d.SingularName,
                        ["verbs"] = Strings(d.Verbs),
                    };
                    if (d.ShortNames.Count > 0)
                    {
                        r["shortNames"] = Strings(d.ShortNames);
                    }

                    if (d.Categories.Count > 0)
                    {
                        r["categories"] = Strings(d.Categories);
                    }

                    if (d.Subresources.Count > 0)
                    {
                        r["subresources"] = new JsonArray(d.Subresources.Select(s => (JsonNode)new JsonObject
                        {
                            ["subresource"] = s.Name,
                            ["responseKind"] = Gvk(s.Group, s.Version, s.Kind),
                            ["verbs"] = Strings(s.Verbs),
                        }).ToArray());
                    }

                    resources.Add(r);
                }

                versionArray.Add(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }

            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (group.Length > 0)
            {
                metadata["name"] = group;
            }

            items.Add(new JsonObject { ["metadata"] = metadata, ["versions"] = versionArray });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = apiVersion,
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject Gvk(string g, string v, string k) => new() { ["group"] = g, ["version"] = v, ["kind"] = k };

    private static JsonArray Strings(IEnumerable<string> s) => new(s.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
}
