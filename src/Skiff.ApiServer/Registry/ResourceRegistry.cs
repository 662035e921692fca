namespace Skiff.ApiServer.Registry;

/// <summary>
/// The set of served resources, looked up by group, version and resource. Thread-safe; resources can be added and
/// removed at run time (custom resources), and <see cref="Generation"/> changes on every change so that discovery
/// documents can be cached. This is the served set: every consumer of it (the watch cache's prefixes, the stores of the
/// resource endpoint, the OpenAPI documents) follows <see cref="Changed"/>; discovery and the route table read
/// <see cref="All"/> and <see cref="Find"/> on every request.
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

    /// <summary>
    /// Raised after every change of the set (outside the registry's lock, on the thread that changed it); handlers
    /// read <see cref="All"/> for the new set. Handlers must not throw.
    /// </summary>
    public event Action? Changed;

    /// <summary>Adds or replaces a resource.</summary>
    public void Add(ResourceDescriptor descriptor) => Replace([], [descriptor]);

    /// <summary>Removes a resource; false when it was not served.</summary>
    public bool Remove(string group, string version, string resource)
    {
        if (Find(group, version, resource) is not { } d)
        {
            return false;
        }

        Replace([d], []);
        return true;
    }

    /// <summary>
    /// Atomically removes <paramref name="remove"/> (matched by group, version and resource) and adds or replaces
    /// <paramref name="add"/>, then raises <see cref="Changed"/> once: a CRD's versions come and go together.
    /// </summary>
    public void Replace(IEnumerable<ResourceDescriptor> remove, IEnumerable<ResourceDescriptor> add)
    {
        lock (_lock)
        {
            var map = new Dictionary<(string, string, string), ResourceDescriptor>(_byGvr);
            var list = _all.ToList();
            foreach (var d in remove)
            {
                map.Remove((d.Group, d.Version, d.Resource));
                list.RemoveAll(x => x.Group == d.Group && x.Version == d.Version && x.Resource == d.Resource);
            }

            foreach (var d in add)
            {
                map[(d.Group, d.Version, d.Resource)] = d;
                list.RemoveAll(x => x.Group == d.Group && x.Version == d.Version && x.Resource == d.Resource);
                list.Add(d);
            }

            Volatile.Write(ref _byGvr, map);
            Volatile.Write(ref _all, list);
            Generation++;
        }

        Changed?.Invoke();
    }

    /// <summary>The resource at group/version/resource, or null.</summary>
    public ResourceDescriptor? Find(string group, string version, string resource) =>
        Volatile.Read(ref _byGvr).GetValueOrDefault((group, version, resource));
}
