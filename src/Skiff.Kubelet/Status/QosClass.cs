using k8s.Models;

namespace Skiff.Kubelet.Status;

/// <summary>
/// The pod's QoS class as upstream's <c>pkg/apis/core/v1/helper/qos.GetPodQOS</c>: <c>BestEffort</c> when no container
/// (init or app) requests or limits cpu or memory; <c>Guaranteed</c> when every container limits both cpu and memory and
/// its requests (defaulting to the limits) equal them; otherwise <c>Burstable</c>.
/// </summary>
public static class QosClass
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    private static readonly string[] Compute = ["cpu", "memory"];

    /// <summary>Computes the QoS class of <paramref name="spec"/>.</summary>
    public static string Of(V1PodSpec spec)
    {
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        var any = false;
        var guaranteed = true;
        foreach (var c in containers)
        {
            var requests = c.Resources?.Requests;
            var limits = c.Resources?.Limits;
            foreach (var r in Compute)
            {
                var req = requests is not null && requests.TryGetValue(r, out var q) && !IsZero(q) ? q : null;
                var lim = limits is not null && limits.TryGetValue(r, out var l) && !IsZero(l) ? l : null;
                any |= req is not null || lim is not null;
                if (lim is null || (req is not null && req.ToDecimal() != lim.ToDecimal()))
                {
                    guaranteed = false;
                }
            }
        }

        return !any ? BestEffort : guaranteed ? Guaranteed : Burstable;
    }

    private static bool IsZero(ResourceQuantity q) => q.ToDecimal() == 0;
}
