using k8s.Models;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>
/// Node taints and pod tolerations as the node lifecycle and taint-eviction controllers read them (upstream
/// <c>pkg/util/taints</c>, <c>v1.Toleration.ToleratesTaint</c>, <c>v1helper.GetMatchingTolerations</c>).
/// </summary>
internal static class Taints
{
    /// <summary>The taint key of a node whose Ready condition is False.</summary>
    public const string NotReady = "node.kubernetes.io/not-ready";

    /// <summary>The taint key of a node whose Ready condition is Unknown.</summary>
    public const string Unreachable = "node.kubernetes.io/unreachable";

    /// <summary>The taint key of a cordoned node.</summary>
    public const string Unschedulable = "node.kubernetes.io/unschedulable";

    /// <summary>The NoSchedule taint each node condition status maps to (upstream's <c>nodeConditionToTaintKeyStatusMap</c>).</summary>
    public static readonly IReadOnlyDictionary<(string Type, string Status), string> ConditionTaints = new Dictionary<(string, string), string>
    {
        [("Ready", "False")] = NotReady,
        [("Ready", "Unknown")] = Unreachable,
        [("MemoryPressure", "True")] = "node.kubernetes.io/memory-pressure",
        [("DiskPressure", "True")] = "node.kubernetes.io/disk-pressure",
        [("NetworkUnavailable", "True")] = "node.kubernetes.io/network-unavailable",
        [("PIDPressure", "True")] = "node.kubernetes.io/pid-pressure",
    };

    /// <summary>Whether two taints are the same taint (key and effect; upstream's <c>MatchTaint</c>).</summary>
    public static bool Match(V1Taint a, V1Taint b) => a.Key == b.Key && a.Effect == b.Effect;

    /// <summary>Whether <paramref name="taints"/> holds a taint matching <paramref name="taint"/>.</summary>
    public static bool Exists(IEnumerable<V1Taint>? taints, V1Taint taint) => (taints ?? []).Any(t => Match(t, taint));

    /// <summary>
    /// Upstream's <c>GetMatchingTolerations</c>: whether every taint is tolerated, and the first toleration used for
    /// each.
    /// </summary>
    public static (bool AllTolerated, List<V1Toleration> Used) Matching(IReadOnlyList<V1Taint> taints, IList<V1Toleration>? tolerations)
    {
        var used = new List<V1Toleration>();
        foreach (var taint in taints)
        {
            var t = (tolerations ?? []).FirstOrDefault(x => Skiff.Client.Scheduling.Tolerations.Tolerates(x, taint));
            if (t is null)
            {
                return (false, []);
            }

            used.Add(t);
        }

        return (true, used);
    }
}
