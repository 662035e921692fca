using k8s.Models;

namespace Skiff.Controllers.Endpoints;

/// <summary>
/// Upstream's <c>endpoints.RepackSubsets</c>, <c>truncateEndpoints</c> and the subset comparison: addresses are grouped
/// so that ports with the same set of (address, ready) pairs share one subset; subsets, addresses and ports come out
/// in a stable order, so equal content compares equal.
/// </summary>
internal static class EndpointSubsets
{
    /// <summary>The most addresses (ready and not ready) one Endpoints object carries.</summary>
    public const int MaxCapacity = 1000;

    /// <summary>The annotation set when addresses were dropped to fit <see cref="MaxCapacity"/>.</summary>
    public const string OverCapacity = "endpoints.kubernetes.io/over-capacity";

    /// <summary>One address with its readiness and port (null: a headless service without ports).</summary>
    public sealed record Entry(V1EndpointAddress Address, bool Ready, Corev1EndpointPort? Port);

    /// <summary>Packs entries into canonical subsets.</summary>
    public static List<V1EndpointSubset> Repack(IEnumerable<Entry> entries)
    {
        // port key -> (port, address key -> (address, ready))
        var byPort = new Dictionary<string, (Corev1EndpointPort? Port, SortedDictionary<string, (V1EndpointAddress A, bool Ready)> Addrs)>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var pk = PortKey(e.Port);
            if (!byPort.TryGetValue(pk, out var slot))
            {
                slot = (e.Port, new SortedDictionary<string, (V1EndpointAddress, bool)>(StringComparer.Ordinal));
                byPort[pk] = slot;
            }

            var ak = AddressKey(e.Address);
            // Ready wins over not ready for the same address.
            if (!slot.Addrs.TryGetValue(ak, out var existing) || (!existing.Ready && e.Ready))
            {
                slot.Addrs[ak] = (e.Address, e.Ready);
            }
        }

        // Ports with the same address set share a subset.
        var groups = new SortedDictionary<string, (List<Corev1EndpointPort> Ports, SortedDictionary<string, (V1EndpointAddress A, bool Ready)> Addrs)>(StringComparer.Ordinal);
        foreach (var (pk, slot) in byPort.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var gk = string.Join("|", slot.Addrs.Select(kv => kv.Key + (kv.Value.Ready ? "+" : "-")));
            if (!groups.TryGetValue(gk, out var g))
            {
                g = ([], slot.Addrs);
                groups[gk] = g;
            }

            if (slot.Port is not null)
            {
                g.Ports.Add(slot.Port);
            }
        }

        var subsets = new List<V1EndpointSubset>();
        foreach (var g in groups.Values)
        {
            var ready = g.Addrs.Values.Where(a => a.Ready).Select(a => a.A).ToList();
            var notReady = g.Addrs.Values.Where(a => !a.Ready).Select(a => a.A).ToList();
            subsets.Add(new V1EndpointSubset
            {
                Addresses = ready.Count > 0 ? ready : null,
                NotReadyAddresses = notReady.Count > 0 ? notReady : null,
                Ports = g.Ports.Count > 0 ? g.Ports : null,
            });
        }

        return subsets;
    }

    /// <summary>
    /// Upstream's <c>truncateEndpoints</c>: above <see cref="MaxCapacity"/> addresses, drops not-ready addresses first
    /// (all of them when the ready ones alone exceed the cap, which are then cut), each subset keeping its share.
    /// Returns whether anything was dropped.
    /// </summary>
    public static bool Truncate(List<V1EndpointSubset> subsets)
    {
        var totalReady = subsets.Sum(s => s.Addresses?.Count ?? 0);
        var totalNotReady = subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
        if (totalReady + totalNotReady <= MaxCapacity)
        {
            return false;
        }

        var truncateReady = totalReady > MaxCapacity;
        var max = truncateReady ? MaxCapacity : MaxCapacity - totalReady;
        var numTotal = truncateReady ? totalReady : totalNotReady;
        var canBeAdded = max;
        for (var i = 0; i < subsets.Count; i++)
        {
            var s = subsets[i];
            var inSubset = truncateReady ? s.Addresses?.Count ?? 0 : s.NotReadyAddresses?.Count ?? 0;
            var toBeAdded = i < subsets.Count - 1 ? (int)Math.Ceiling((double)inSubset / numTotal * max) : canBeAdded;
            toBeAdded = Math.Min(toBeAdded, canBeAdded);
            if (truncateReady)
            {
                s.Addresses = [.. (s.Addresses ?? []).Take(toBeAdded)];
                s.NotReadyAddresses = null;
                canBeAdded -= s.Addresses.Count;
            }
            else
            {
                s.NotReadyAddresses = [.. (s.NotReadyAddresses ?? []).Take(toBeAdded)];
                canBeAdded -= s.NotReadyAddresses.Count;
            }
        }

        return true;
    }

    /// <summary>Whether the over-capacity annotation is as it should be for <paramref name="subsets"/> (upstream's <c>capacityAnnotationSetCorrectly</c>).</summary>
    public static bool CapacityAnnotationCorrect(IDictionary<string, string>? annotations, IList<V1EndpointSubset>? subsets)
    {
        var n = (subsets ?? []).Sum(s => (s.Addresses?.Count ?? 0) + (s.NotReadyAddresses?.Count ?? 0));
        return n <= MaxCapacity && annotations?.ContainsKey(OverCapacity) != true;
    }

    /// <summary>Whether two subset lists carry the same content (both canonical).</summary>
    public static bool Equal(IList<V1EndpointSubset>? a, IList<V1EndpointSubset>? b) => Fingerprint(a) == Fingerprint(b);

    private static string Fingerprint(IList<V1EndpointSubset>? subsets) =>
        string.Join(";", (subsets ?? []).Select(s =>
            string.Join(",", (s.Addresses ?? []).Select(AddressKey)) + "/" + string.Join(",", (s.NotReadyAddresses ?? []).Select(AddressKey)) + "/" +
            string.Join(",", (s.Ports ?? []).Select(PortKey))));

    private static string AddressKey(V1EndpointAddress a) =>
        $"{a.Ip} {a.Hostname} {a.NodeName} {a.TargetRef?.Kind} {a.TargetRef?.NamespaceProperty} {a.TargetRef?.Name} {a.TargetRef?.Uid}";

    private static string PortKey(Corev1EndpointPort? p) =>
        p is null ? "" : $"{p.Name} {p.Port} {p.Protocol} {p.AppProtocol}";
}
