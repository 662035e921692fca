using k8s.Models;

namespace Skiff.Kubelet.Status;

/// <summary>
/// The node status a kubelet posts, as upstream's <c>pkg/kubelet/nodestatus/setters.go</c>: capacity and allocatable,
/// the conditions MemoryPressure, DiskPressure, PIDPressure and Ready in that order with upstream's reasons and
/// messages (<c>KubeletHasSufficientMemory</c>, <c>KubeletHasNoDiskPressure</c>, <c>KubeletHasSufficientPID</c>,
/// <c>KubeletReady</c> / <c>KubeletNotReady</c>…), addresses, nodeInfo and daemonEndpoints. Every condition's
/// lastHeartbeatTime is <c>now</c>; its lastTransitionTime is kept while its status does not change. Conditions owned by
/// others (e.g. NetworkUnavailable) are kept. Pure: never mutates its inputs.
/// </summary>
public static class NodeStatusBuilder
{
    /// <summary>Builds the status at <paramref name="now"/> from <paramref name="runtime"/>, keeping transition times from <paramref name="old"/>.</summary>
    public static V1NodeStatus Build(NodeRuntimeStatus runtime, V1NodeStatus? old, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var at = now.UtcDateTime;
        var allocatable = new Dictionary<string, ResourceQuantity>(runtime.Capacity);
        foreach (var (k, v) in runtime.Allocatable)
        {
            allocatable[k] = v;
        }

        var conditions = new List<V1NodeCondition>();
        foreach (var c in old?.Conditions ?? [])
        {
            if (c.Type is not ("MemoryPressure" or "DiskPressure" or "PIDPressure" or "Ready"))
            {
                conditions.Add(c);
            }
        }

        conditions.Add(runtime.MemoryPressure
            ? Condition(old, "MemoryPressure", true, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", at)
            : Condition(old, "MemoryPressure", false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available", at));
        conditions.Add(runtime.DiskPressure
            ? Condition(old, "DiskPressure", true, "KubeletHasDiskPressure", "kubelet has disk pressure", at)
            : Condition(old, "DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure", at));
        conditions.Add(runtime.PidPressure
            ? Condition(old, "PIDPressure", true, "KubeletHasInsufficientPID", "kubelet has insufficient PID available", at)
            : Condition(old, "PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available", at));
        conditions.Add(runtime.NotReadyErrors.Count == 0
            ? Condition(old, "Ready", true, "KubeletReady", "kubelet is posting ready status", at)
            : Condition(old, "Ready", false, "KubeletNotReady", string.Join(", ", runtime.NotReadyErrors), at));

        return new V1NodeStatus
        {
            Capacity = new Dictionary<string, ResourceQuantity>(runtime.Capacity),
            Allocatable = allocatable,
            Conditions = conditions,
            Addresses = [.. runtime.Addresses],
            NodeInfo = runtime.NodeInfo,
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = runtime.KubeletPort } },
            Images = old?.Images,
            VolumesAttached = old?.VolumesAttached,
            VolumesInUse = old?.VolumesInUse,
        };
    }

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> differ in anything but heartbeat times: the kubelet posts
    /// a status on such a change, and otherwise only every report frequency.
    /// </summary>
    public static bool Changed(V1NodeStatus? a, V1NodeStatus? b)
    {
        if (a is null || b is null)
        {
            return !ReferenceEquals(a, b);
        }

        static string Key(V1NodeStatus s) => string.Join('|',
            string.Join(',', (s.Capacity ?? new Dictionary<string, ResourceQuantity>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(',', (s.Allocatable ?? new Dictionary<string, ResourceQuantity>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(',', (s.Conditions ?? []).Select(c => $"{c.Type}={c.Status}/{c.Reason}/{c.Message}")),
            string.Join(',', (s.Addresses ?? []).Select(x => x.Type + "=" + x.Address)),
            s.DaemonEndpoints?.KubeletEndpoint?.Port,
            s.NodeInfo?.KubeletVersion);
        return Key(a) != Key(b);
    }

    private static V1NodeCondition Condition(V1NodeStatus? old, string type, bool status, string reason, string message, DateTime at)
    {
        var value = status ? "True" : "False";
        var previous = old?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1NodeCondition
        {
            Type = type,
            Status = value,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = at,
            LastTransitionTime = previous is not null && previous.Status == value ? previous.LastTransitionTime ?? at : at,
        };
    }
}
