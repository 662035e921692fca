using System.Globalization;
using k8s.Models;

namespace Skiff.Controllers.Common;

/// <summary>
/// Upstream's <c>ActivePodsWithRanks</c>: the order in which a ReplicaSet deletes pods on scale-down, the pod to
/// delete first sorting first:
/// <list type="number">
/// <item>unassigned before assigned;</item>
/// <item>Pending before Unknown before Running;</item>
/// <item>not ready before ready;</item>
/// <item>lower <c>controller.kubernetes.io/pod-deletion-cost</c> first;</item>
/// <item>higher rank (more related pods on the same node) first;</item>
/// <item>both ready: ready more recently first (log₂ buckets of the time since <see cref="Now"/>, ties by uid);</item>
/// <item>more container restarts first;</item>
/// <item>created more recently first (log₂ buckets, ties by uid; an empty time first).</item>
/// </list>
/// </summary>
internal sealed class ActivePodsWithRanks : IComparer<int>
{
    /// <summary>The annotation whose int32 value orders deletion (upstream's <c>PodDeletionCost</c>).</summary>
    public const string PodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private readonly IReadOnlyList<V1Pod> _pods;
    private readonly IReadOnlyList<int> _ranks;

    /// <param name="pods">The pods.</param>
    /// <param name="ranks">Per pod (same index), its rank.</param>
    /// <param name="now">The reference time of the logarithmic comparisons; null compares times directly.</param>
    public ActivePodsWithRanks(IReadOnlyList<V1Pod> pods, IReadOnlyList<int> ranks, DateTime? now)
    {
        _pods = pods;
        _ranks = ranks;
        Now = now;
    }

    public DateTime? Now { get; }

    /// <summary>The pods, the one to delete first first (a stable sort).</summary>
    public IReadOnlyList<V1Pod> Sorted() =>
        [.. Enumerable.Range(0, _pods.Count).Order(this).Select(i => _pods[i])];

    /// <inheritdoc/>
    public int Compare(int x, int y) => Less(x, y) ? -1 : Less(y, x) ? 1 : 0;

    /// <summary>Whether pod <paramref name="i"/> should be deleted before pod <paramref name="j"/> (upstream's <c>Less</c>).</summary>
    public bool Less(int i, int j)
    {
        V1Pod a = _pods[i], b = _pods[j];
        string nodeA = a.Spec?.NodeName ?? "", nodeB = b.Spec?.NodeName ?? "";
        if (nodeA != nodeB && (nodeA.Length == 0 || nodeB.Length == 0))
        {
            return nodeA.Length == 0;
        }

        if (PhaseOrdinal(a) != PhaseOrdinal(b))
        {
            return PhaseOrdinal(a) < PhaseOrdinal(b);
        }

        bool readyA = PodStatusUtil.IsReady(a), readyB = PodStatusUtil.IsReady(b);
        if (readyA != readyB)
        {
            return !readyA;
        }

        int costA = DeletionCost(a), costB = DeletionCost(b);
        if (costA != costB)
        {
            return costA < costB;
        }

        if (_ranks[i] != _ranks[j])
        {
            return _ranks[i] > _ranks[j];
        }

        if (readyA && readyB)
        {
            DateTime? tA = PodStatusUtil.ReadyCondition(a)?.LastTransitionTime, tB = PodStatusUtil.ReadyCondition(b)?.LastTransitionTime;
            if (tA != tB)
            {
                return NewerFirst(a, b, tA, tB);
            }
        }

        int restartsA = MaxRestarts(a), restartsB = MaxRestarts(b);
        if (restartsA != restartsB)
        {
            return restartsA > restartsB;
        }

        DateTime? cA = a.Metadata.CreationTimestamp, cB = b.Metadata.CreationTimestamp;
        return cA != cB && NewerFirst(a, b, cA, cB);
    }

    /// <summary>The int32 deletion cost of a pod's annotation; 0 when absent or invalid.</summary>
    public static int DeletionCost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(PodDeletionCostAnnotation, out var v) == true &&
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost) ? cost : 0;

    /// <summary>The log₂ of the nanoseconds between <paramref name="t"/> and <paramref name="now"/>; −1 when not before it.</summary>
    public static long LogarithmicRank(DateTime t, DateTime now)
    {
        var nanos = (now - t).Ticks * 100.0;
        return nanos > 0 ? (long)Math.Log2(nanos) : -1;
    }

    private bool NewerFirst(V1Pod a, V1Pod b, DateTime? tA, DateTime? tB)
    {
        if (Now is not { } now || tA is null || tB is null)
        {
            return AfterOrZero(tA, tB);
        }

        var diff = LogarithmicRank(tA.Value, now) - LogarithmicRank(tB.Value, now);
        return diff == 0 ? string.CompareOrdinal(a.Metadata.Uid, b.Metadata.Uid) < 0 : diff < 0;
    }

    private static bool AfterOrZero(DateTime? t1, DateTime? t2) =>
        t1 is null || t2 is null ? t1 is null : t1 > t2;

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int MaxRestarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
}
