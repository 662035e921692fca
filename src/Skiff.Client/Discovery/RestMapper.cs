using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>
/// Maps between kinds and resources over one <see cref="DiscoveryDocument"/> (client-go's
/// <c>PriorityRESTMapper</c> over discovery, with kubectl's short-name expansion). A resource may be named by its
/// plural, singular or short name, optionally qualified as <c>name.group</c> or <c>name.version.group</c>, and is
/// matched case-insensitively. When several groups serve a match, the first group in discovery order wins (the core
/// group first); within a group the server's preferred version wins unless a version is asked for. Immutable and
/// thread-safe.
/// </summary>
public sealed class RestMapper
{
    private readonly Dictionary<string, int> _groupOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string Version), int> _versionOrder = [];
    private readonly IReadOnlyList<DiscoveredResource> _resources;

    public RestMapper(DiscoveryDocument document)
    {
        Document = document;
        for (var i = 0; i < document.Groups.Count; i++)
        {
            var g = document.Groups[i];
            _groupOrder.TryAdd(g.Name, i);
            for (var j = 0; j < g.Versions.Count; j++)
            {
                _versionOrder.TryAdd((g.Name, g.Versions[j]), j);
            }
        }

        _resources = [.. document.Resources.OrderBy(r => _groupOrder.GetValueOrDefault(r.Resource.Group, int.MaxValue))
            .ThenBy(r => _versionOrder.GetValueOrDefault((r.Resource.Group, r.Resource.Version), int.MaxValue))];
    }

    public DiscoveryDocument Document { get; }

    /// <summary>Resolves a command-line resource argument (<c>deploy</c>, <c>deployments.apps</c>, <c>deployments.v1.apps</c>, <c>Deployment</c>).</summary>
    /// <exception cref="NoMatchException">Nothing matches.</exception>
    public DiscoveredResource ResourceFor(string argument)
    {
        var parts = argument.Split('.');
        if (parts.Length >= 3 && Match(parts[0], string.Join('.', parts[2..]), parts[1]) is { } full)
        {
            return full;
        }

        if (parts.Length >= 2 && Match(parts[0], string.Join('.', parts[1..]), null) is { } grouped)
        {
            return grouped;
        }

        return Match(argument, null, null) ?? throw new NoMatchException($"the server doesn't have a resource type \"{argument}\"");
    }

    /// <summary>The resource named <paramref name="resource"/> (plural, singular or short name) in the given group and version (null: any).</summary>
    /// <exception cref="NoMatchException">Nothing matches.</exception>
    public DiscoveredResource ResourceFor(string resource, string? group, string? version)
        => Match(resource, group, version)
           ?? throw new NoMatchException($"no matches for resource \"{resource}\"{(group is null ? "" : $" in group \"{group}\"")}{(version is null ? "" : $" version \"{version}\"")}");

    /// <summary>The kind of <paramref name="gvr"/> (whose resource may be a singular or short name).</summary>
    /// <exception cref="NoMatchException">Nothing matches.</exception>
    public GroupVersionKind KindFor(GroupVersionResource gvr)
        => ResourceFor(gvr.Resource, gvr.Group, gvr.Version.Length == 0 ? null : gvr.Version).Kind;

    /// <summary>
    /// The mapping of <paramref name="kind"/> in <paramref name="group"/>: in the first of <paramref name="versions"/>
    /// that serves it, else in the group's preferred version that does.
    /// </summary>
    /// <exception cref="NoMatchException">The kind is not served.</exception>
    public RestMapping RestMappingFor(string group, string kind, params string[] versions)
    {
        var candidates = _resources.Where(r => r.Kind.Group == group && string.Equals(r.Kind.Kind, kind, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var v in versions)
        {
            if (candidates.FirstOrDefault(r => r.Kind.Version == v) is { } exact)
            {
                return ToMapping(exact);
            }
        }

        if (versions.Length > 0 || candidates.Count == 0)
        {
            throw new NoMatchException($"no matches for kind \"{kind}\" in group \"{group}\"{(versions.Length > 0 ? $" version \"{string.Join(", ", versions)}\"" : "")}");
        }

        return ToMapping(candidates[0]);
    }

    /// <summary>The mapping for an object's <c>apiVersion</c> and <c>kind</c>.</summary>
    /// <exception cref="NoMatchException">The kind is not served in that version.</exception>
    public RestMapping RestMappingFor(GroupVersionKind gvk) => RestMappingFor(gvk.Group, gvk.Kind, gvk.Version);

    /// <summary>The mapping of <paramref name="gvr"/> (whose resource may be a singular or short name): its kind and scope.</summary>
    /// <exception cref="NoMatchException">Nothing matches.</exception>
    public RestMapping RestMappingFor(GroupVersionResource gvr)
        => ToMapping(ResourceFor(gvr.Resource, gvr.Group, gvr.Version.Length == 0 ? null : gvr.Version));

    private static RestMapping ToMapping(DiscoveredResource r) => new(r.Resource, r.Kind, r.Namespaced);

    private DiscoveredResource? Match(string name, string? group, string? version)
    {
        var n = name.ToLowerInvariant();
        bool InScope(DiscoveredResource r) => (group is null || r.Resource.Group == group) && (version is null || r.Resource.Version == version);

        // Plural, then singular, then short names, then kinds: an exact plural match always beats an alias.
        return _resources.FirstOrDefault(r => InScope(r) && r.Resource.Resource == n)
            ?? _resources.FirstOrDefault(r => InScope(r) && r.SingularName == n)
            ?? _resources.FirstOrDefault(r => InScope(r) && r.ShortNames.Contains(n, StringComparer.Ordinal))
            ?? _resources.FirstOrDefault(r => InScope(r) && string.Equals(r.Kind.Kind, name, StringComparison.OrdinalIgnoreCase));
    }
}
