using System.Collections.Concurrent;
using System.Globalization;
using k8s.Models;

namespace Skiff.Controllers.EndpointSlice;

/// <summary>
/// Upstream's <c>EndpointSliceTracker</c>: remembers the slices a controller wrote for each owner (by resourceVersion) or
/// deleted, so that a sync never acts on a cache that has not seen its own writes yet (which would create duplicate
/// slices). An owner is stale while any write of it is not yet in the cache.
/// </summary>
internal sealed class SliceTracker
{
    private const long Deleted = -1;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long>> _expected = new(StringComparer.Ordinal);

    /// <summary>Records a slice this controller created or updated.</summary>
    public void Written(string owner, V1EndpointSlice slice) =>
        Slots(owner)[slice.Metadata.Name] = ParseRv(slice.Metadata.ResourceVersion);

    /// <summary>Records a slice this controller deleted.</summary>
    public void Removed(string owner, string name) => Slots(owner)[name] = Deleted;

    /// <summary>A slice left the cache: nothing more to wait for on it.</summary>
    public void Forget(string owner, string name)
    {
        if (_expected.TryGetValue(owner, out var slots))
        {
            slots.TryRemove(name, out _);
        }
    }

    /// <summary>Forgets an owner (deleted).</summary>
    public void ForgetOwner(string owner) => _expected.TryRemove(owner, out _);

    /// <summary>
    /// Whether the cached <paramref name="slices"/> of <paramref name="owner"/> include every write; writes seen are
    /// forgotten.
    /// </summary>
    public bool Stale(string owner, IReadOnlyList<V1EndpointSlice> slices)
    {
        if (!_expected.TryGetValue(owner, out var slots) || slots.IsEmpty)
        {
            return false;
        }

        var stale = false;
        foreach (var (name, rv) in slots)
        {
            var cached = slices.FirstOrDefault(s => s.Metadata.Name == name);
            var seen = rv == Deleted ? cached is null : cached is not null && ParseRv(cached.Metadata.ResourceVersion) >= rv;
            if (seen)
            {
                slots.TryRemove(new KeyValuePair<string, long>(name, rv));
            }
            else
            {
                stale = true;
            }
        }

        return stale;
    }

    private ConcurrentDictionary<string, long> Slots(string owner) =>
        _expected.GetOrAdd(owner, _ => new ConcurrentDictionary<string, long>(StringComparer.Ordinal));

    private static long ParseRv(string? rv) =>
        long.TryParse(rv, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
