namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// Owners known to be absent (upstream's <c>ReferenceCache</c>, an LRU): a hit spares the live lookup when many
/// dependents name the same deleted owner. Bounded: once full it starts over. Thread-safe.
/// </summary>
internal sealed class AbsentOwnerCache(int capacity = 500)
{
    private readonly HashSet<ObjectIdentity> _absent = [];

    public void Add(ObjectIdentity identity)
    {
        lock (_absent)
        {
            if (_absent.Count >= capacity)
            {
                _absent.Clear();
            }

            _absent.Add(identity);
        }
    }

    public bool Has(ObjectIdentity identity)
    {
        lock (_absent)
        {
            return _absent.Contains(identity);
        }
    }
}
