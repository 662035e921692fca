using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A node and what the scheduler believes runs on it (upstream <c>framework.NodeInfo</c>): its pods (bound or
/// assumed), their summed requests (and the non-zero variant used for scoring), the host ports in use and a generation
/// that changes on every change.
/// </summary>
public sealed class NodeInfo
{
    private readonly List<V1Pod> _pods = [];

    public NodeInfo(V1Node node)
    {
        Node = node;
        Allocatable = Resource.From(node.Status?.Allocatable);
    }

    public V1Node Node { get; private set; }

    public string Name => Node.Metadata.Name;

    public Resource Allocatable { get; private set; }

    public Resource Requested { get; private set; } = new();

    public Resource NonZeroRequested { get; private set; } = new();

    public IReadOnlyList<V1Pod> Pods => _pods;

    /// <summary>The pods with required pod anti-affinity terms (upstream <c>PodsWithRequiredAntiAffinity</c>).</summary>
    public IReadOnlyList<V1Pod> PodsWithRequiredAntiAffinity => _pods.Count == 0 || _antiAffinityPods == 0 ? [] : [.. _pods.Where(HasRequiredAntiAffinity)];

    /// <summary>The pods with any pod affinity or anti-affinity (upstream <c>PodsWithAffinity</c>).</summary>
    public IReadOnlyList<V1Pod> PodsWithAffinity => _pods.Count == 0 || _affinityPods == 0 ? [] : [.. _pods.Where(HasAffinity)];

    private int _antiAffinityPods;
    private int _affinityPods;

    /// <summary>Whether any pod here has pod affinity or anti-affinity (the node is in upstream's <c>HavePodsWithAffinityList</c>).</summary>
    public bool HasPodsWithAffinity => _affinityPods > 0;

    /// <summary>Whether any pod here has required pod anti-affinity (upstream's <c>HavePodsWithRequiredAntiAffinityList</c>).</summary>
    public bool HasPodsWithRequiredAntiAffinity => _antiAffinityPods > 0;

    internal static bool HasAffinity(V1Pod p) => p.Spec?.Affinity is { } a && (a.PodAffinity is not null || a.PodAntiAffinity is not null);

    internal static bool HasRequiredAntiAffinity(V1Pod p) => p.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { Count: > 0 };

    /// <summary>Host ports in use: (protocol, hostIP, port).</summary>
    public HashSet<(string Protocol, string Ip, int Port)> UsedPorts { get; private set; } = [];

    public long Generation { get; set; }

    public void SetNode(V1Node node)
    {
        Node = node;
        Allocatable = Resource.From(node.Status?.Allocatable);
    }

    public void AddPod(V1Pod pod)
    {
        _pods.Add(pod);
        Update(pod, 1);
    }

    /// <summary>Removes the pod with <paramref name="uid"/>; false when it is not here.</summary>
    public bool RemovePod(string uid)
    {
        var i = _pods.FindIndex(p => p.Metadata.Uid == uid);
        if (i < 0)
        {
            return false;
        }

        var pod = _pods[i];
        _pods.RemoveAt(i);
        Update(pod, -1);
        return true;
    }

    private void Update(V1Pod pod, int sign)
    {
        if (HasRequiredAntiAffinity(pod))
        {
            _antiAffinityPods += sign;
        }

        if (HasAffinity(pod))
        {
            _affinityPods += sign;
        }

        Requested.Add(Resource.PodRequests(pod), sign);
        NonZeroRequested.Add(Resource.PodRequests(pod, nonZero: true), sign);
        foreach (var port in HostPorts(pod))
        {
            if (sign > 0)
            {
                UsedPorts.Add(port);
            }
            else
            {
                UsedPorts.Remove(port);
            }
        }
    }

    /// <summary>The pod's host ports (protocol default TCP, host IP default 0.0.0.0).</summary>
    public static IEnumerable<(string Protocol, string Ip, int Port)> HostPorts(V1Pod pod) =>
        from c in pod.Spec?.Containers ?? []
        from p in c.Ports ?? []
        where p.HostPort is > 0
        select (p.Protocol ?? "TCP", string.IsNullOrEmpty(p.HostIP) ? "0.0.0.0" : p.HostIP, p.HostPort!.Value);

    /// <summary>A copy whose pod list and sums can change independently (the pods themselves are shared, read-only).</summary>
    public NodeInfo Clone()
    {
        var c = new NodeInfo(Node)
        {
            Requested = Requested.Clone(),
            NonZeroRequested = NonZeroRequested.Clone(),
            UsedPorts = [.. UsedPorts],
            Generation = Generation,
            _antiAffinityPods = _antiAffinityPods,
            _affinityPods = _affinityPods,
        };
        c._pods.AddRange(_pods);
        return c;
    }
}
