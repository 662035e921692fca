using k8s.Models;

namespace Skiff.Controllers.EndpointSlice;

/// <summary>
/// Identity and content keys of endpoints and port lists (upstream's <c>hashEndpoint</c>, <c>endpointsEqualBeyondHash</c>
/// and <c>NewPortMapKey</c> in <c>k8s.io/endpointslice/util</c>).
/// </summary>
internal static class SliceKeys
{
    /// <summary>Which endpoint this is: its sorted addresses, hostname and target's namespace/name.</summary>
    public static string Identity(V1Endpoint e) =>
        string.Join(",", (e.Addresses ?? []).Order(StringComparer.Ordinal)) + "|" + e.Hostname + "|" + e.TargetRef?.NamespaceProperty + "/" + e.TargetRef?.Name;

    /// <summary>Everything else upstream compares: conditions, node, zone, target uid, hints.</summary>
    public static string Content(V1Endpoint e) =>
        $"{e.Conditions?.Ready}|{e.Conditions?.Serving}|{e.Conditions?.Terminating}|{e.NodeName}|{e.Zone}|{e.TargetRef?.Kind}|{e.TargetRef?.Uid}|" +
        string.Join(",", (e.Hints?.ForZones ?? []).Select(z => z.Name));

    /// <summary>A port list's key, independent of order.</summary>
    public static string Ports(IEnumerable<Discoveryv1EndpointPort>? ports) =>
        string.Join(";", (ports ?? []).Select(p => $"{p.Name} {p.Port} {p.Protocol ?? "TCP"} {p.AppProtocol}").Order(StringComparer.Ordinal));
}
