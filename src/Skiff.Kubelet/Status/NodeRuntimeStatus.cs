using k8s.Models;

namespace Skiff.Kubelet.Status;

/// <summary>
/// What a kubelet knows about its node, the input of <see cref="NodeStatusBuilder"/>: resources, addresses, system
/// info, the kubelet port and the pressure and readiness signals (the hollow node fakes them; the real kubelet measures).
/// </summary>
public sealed record NodeRuntimeStatus
{
    public IDictionary<string, ResourceQuantity> Capacity { get; init; } = new Dictionary<string, ResourceQuantity>();

    /// <summary>Allocatable resources; a resource missing here is allocatable at its full capacity.</summary>
    public IDictionary<string, ResourceQuantity> Allocatable { get; init; } = new Dictionary<string, ResourceQuantity>();

    /// <summary>The node's addresses (InternalIP first, then Hostname), as upstream orders them.</summary>
    public IReadOnlyList<V1NodeAddress> Addresses { get; init; } = [];

    public V1NodeSystemInfo NodeInfo { get; init; } = new();

    /// <summary>The kubelet's port (upstream's default 10250).</summary>
    public int KubeletPort { get; init; } = 10250;

    public bool MemoryPressure { get; init; }

    public bool DiskPressure { get; init; }

    public bool PidPressure { get; init; }

    /// <summary>Why the node is not ready (runtime down, network not ready…); empty: ready.</summary>
    public IReadOnlyList<string> NotReadyErrors { get; init; } = [];
}
