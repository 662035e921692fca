using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>
/// Everything the server's discovery says, at one moment: groups in the server's order (core first) with versions
/// preferred-first, and every top-level resource of every served version. Immutable.
/// </summary>
public sealed class DiscoveryDocument
{
    public DiscoveryDocument(IReadOnlyList<DiscoveredGroup> groups, IReadOnlyList<DiscoveredResource> resources, DiscoverySource source)
    {
        Groups = groups;
        Resources = resources;
        Source = source;
    }

    public IReadOnlyList<DiscoveredGroup> Groups { get; }

    public IReadOnlyList<DiscoveredResource> Resources { get; }

    public DiscoverySource Source { get; }

    /// <summary>The resources of one group version (empty when it is not served).</summary>
    public IReadOnlyList<DiscoveredResource> ResourcesFor(string group, string version)
        => [.. Resources.Where(r => r.Resource.Group == group && r.Resource.Version == version)];

    /// <summary>Each resource once, in the preferred version of its group (client-go <c>ServerPreferredResources</c>).</summary>
    public IReadOnlyList<DiscoveredResource> PreferredResources()
    {
        var preferred = Groups.ToDictionary(g => g.Name, g => g.PreferredVersion, StringComparer.Ordinal);
        return [.. Resources.Where(r => preferred.TryGetValue(r.Resource.Group, out var v) && v == r.Resource.Version)];
    }

    /// <summary>The discovered resource for <paramref name="gvr"/>, or null.</summary>
    public DiscoveredResource? Find(GroupVersionResource gvr) => Resources.FirstOrDefault(r => r.Resource == gvr);
}
