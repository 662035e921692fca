namespace Skiff.ApiServer.Registry;

/// <summary>
/// The set of served resources, looked up by group, version and resource. Thread-safe; resources can be added and
/// removed at run time (custom resources), and <see cref="Generation"/> changes on every change so that discovery
/// documents can be cached.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly object _lock = new();
    private Dictionary<(string Group, string Version, string Resource), ResourceDescriptor> _byGvr = [];
    private IReadOnlyList<ResourceDescriptor> _all = [];

    /// <summary>Creates a registry serving <paramref name="descriptors"/>.</summary>
    public ResourceRegistry(IEnumerable<ResourceDescriptor> descriptors)
    {
        foreach (var d in descriptors)
        {
            Add(d);
        }
    }

    /// <summary>Increases whenever the set changes.</summary>
    public long Generation { get; private set; }

    /// <summary>Every served resource, in registration order.</summary>
    public IReadOnlyList<ResourceDescriptor> All => Volatile.Read(ref _all);

    /// <summary>Adds or replaces a resource.</summary>
    public void Add(ResourceDescriptor descriptor)
    {
        lock (_lock)
        {
            var map = new Dictionary<(string, string, string), ResourceDescriptor>(_byGvr)
            {
                [(descriptor.Group, descriptor.Version, descriptor.Resource)] = descriptor,
            };
            var list = _all.Where(d => !(d.Group == descriptor.Group && d.Version == descriptor.Version && d.Resource == descriptor.Resource)).Append(descriptor).ToList();
            Volatile.Write(ref _byGvr, map);
            Volatile.Write(ref _all, list);
            Generation++;
        }
    }

    /// <summary>Removes a resource; false when it was not served.</summary>
    public bool Remove(string group, string version, string resource)
    {
        lock (_lock)
        {
            if (!_byGvr.ContainsKey((group, version, resource)))
            {
                return false;
            }

            var map = new Dictionary<(string, string, string), ResourceDescriptor>(_byGvr);
            map.Remove((group, version, resource));
            Volatile.Write(ref _byGvr, map);
            Volatile.Write(ref _all, _all.Where(d => !(d.Group == group && d.Version == version && d.Resource == resource)).ToList());
            Generation++;
            return true;
        }
    }

    /// <summary>The resource at group/version/resource, or null.</summary>
    public ResourceDescriptor? Find(string group, string version, string resource) =>
        Volatile.Read(ref _byGvr).GetValueOrDefault((group, version, resource));
}
