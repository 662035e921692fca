using k8s.Models;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.DefaultPreemption;

/// <summary>
/// Upstream's <c>DefaultPreemption</c> PostFilter, simplified: on each node that failed with a resolvable
/// (<see cref="Code.Unschedulable"/>) status, the pods of lower priority are the possible victims; if the pod fits with
/// all of them gone, victims are reprieved highest priority first while it still fits. The node with the lowest
/// highest-victim priority, then the fewest victims, wins: its victims are deleted and the pod nominated to it. The
/// message of a failure follows upstream (<c>0/N nodes are available: …</c> with <c>No preemption victims found for
/// incoming pod</c> / <c>Preemption is not helpful for scheduling</c>). A pod nominated to a node where lower-priority
/// pods are still terminating does not preempt again. PodDisruptionBudgets count as upstream's
/// <c>SelectVictimsOnNode</c> does: victims whose eviction would exceed a matching budget's
/// <c>status.disruptionsAllowed</c> are reprieved first, and nodes compare by (fewest PDB violations, lowest
/// highest-victim priority, lowest priority sum, fewest victims) as upstream's <c>pickOneNodeForPreemption</c>.
/// </summary>
internal sealed class DefaultPreemption(Clientset? clientset = null, IClusterLister? cluster = null) : IPostFilterPlugin, IProfileAware
{
    public const string PluginName = "DefaultPreemption";
    public const string NotHelpful = "Preemption is not helpful for scheduling";
    public const string NoVictims = "No preemption victims found for incoming pod";

    private Profile? _profile;

    public string Name => PluginName;

    public void Attach(Profile profile) => _profile = profile;

    public async Task<(string? NominatedNode, Status? Status)> PostFilterAsync(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes,
        IReadOnlyDictionary<string, Status> nodeStatuses, CancellationToken ct)
    {
        if (pod.Spec?.PreemptionPolicy == "Never")
        {
            return (null, Status.Unschedulable("not eligible due to preemptionPolicy=Never."));
        }

        var priority = pod.Spec?.Priority ?? 0;
        if (pod.Status?.NominatedNodeName is { Length: > 0 } nominated
            && nodes.FirstOrDefault(n => n.Name == nominated) is { } nominatedNode
            && nominatedNode.Pods.Any(p => p.Metadata.DeletionTimestamp is not null && (p.Spec?.Priority ?? 0) < priority))
        {
            // Upstream's PodEligibleToPreemptOthers: victims chosen before are still terminating.
            return (nominated, Status.Unschedulable("not eligible due to a terminating pod on the nominated node."));
        }

        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        (NodeInfo Node, List<V1Pod> Victims, int Violations)? best = null;
        var pdbs = (cluster ?? EmptyClusterLister.Instance).PodDisruptionBudgets();
        foreach (var node in nodes)
        {
            if (!nodeStatuses.TryGetValue(node.Name, out var s) || s.Code != Code.Unschedulable)
            {
                statuses[node.Name] = Status.Unresolvable(NotHelpful);
                continue;
            }

            var candidates = node.Pods.Where(p => (p.Spec?.Priority ?? 0) < priority).OrderByDescending(p => p.Spec?.Priority ?? 0).ToList();
            if (candidates.Count == 0 || _profile is null)
            {
                statuses[node.Name] = Status.Unschedulable(NoVictims);
                continue;
            }

            var trial = node.Clone();
            foreach (var v in candidates)
            {
                trial.RemovePod(v.Metadata.Uid);
            }

            var fits = Fits(state, pod, trial, nodes);
            if (fits is not null)
            {
                statuses[node.Name] = fits;
                continue;
            }

            var (violating, nonViolating) = SplitByPdbViolation(candidates, pdbs);
            var victims = new List<V1Pod>();
            var violations = 0;
            foreach (var (group, violatesPdb) in new[] { (violating, true), (nonViolating, false) })
            {
                foreach (var v in group)
                {
                    trial.AddPod(v);
                    if (Fits(state, pod, trial, nodes) is not null)
                    {
                        trial.RemovePod(v.Metadata.Uid);
                        victims.Add(v);
                        violations += violatesPdb ? 1 : 0;
                    }
                }
            }

            if (best is null || Better((victims, violations), (best.Value.Victims, best.Value.Violations)))
            {
                best = (node, victims, violations);
            }
        }

        if (best is { } chosen)
        {
            if (clientset is not null)
            {
                foreach (var v in chosen.Victims)
                {
                    await clientset.CoreV1().Pods(v.Metadata.NamespaceProperty).DeleteAsync(v.Metadata.Name, ct: ct).ConfigureAwait(false);
                }
            }

            return (chosen.Node.Name, null);
        }

        var histogram = statuses.Values.SelectMany(s => s.Reasons).GroupBy(r => r, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal);
        return (null, Status.Unschedulable($"0/{nodes.Count} nodes are available: {string.Join(", ", histogram)}."));
    }

    private Status? Fits(CycleState state, V1Pod pod, NodeInfo node, IReadOnlyList<NodeInfo> nodes)
    {
        var trialState = new CycleState();
        var all = nodes.Select(n => n.Name == node.Name ? node : n).ToList();
        var pre = _profile!.RunPreFilter(trialState, pod, all);
        return pre ?? _profile.RunFilter(trialState, pod, node);
    }

    /// <summary>
    /// Upstream's <c>filterPodsWithPDBViolation</c>: walking the victims in order, each matching budget (same namespace,
    /// non-empty selector, the pod not already in <c>status.disruptedPods</c>) spends one allowed disruption; a victim
    /// that drives any budget below zero violates it. Both lists keep the input order.
    /// </summary>
    internal static (List<V1Pod> Violating, List<V1Pod> NonViolating) SplitByPdbViolation(IEnumerable<V1Pod> victims, IReadOnlyList<V1PodDisruptionBudget> pdbs)
    {
        var allowed = pdbs.Select(p => p.Status?.DisruptionsAllowed ?? 0).ToArray();
        var violating = new List<V1Pod>();
        var nonViolating = new List<V1Pod>();
        foreach (var pod in victims)
        {
            var violates = false;
            for (var i = 0; i < pdbs.Count; i++)
            {
                var pdb = pdbs[i];
                if (pdb.Metadata.NamespaceProperty != pod.Metadata.NamespaceProperty
                    || pdb.Spec?.Selector is not { } sel
                    || (sel.MatchLabels is null or { Count: 0 } && sel.MatchExpressions is null or { Count: 0 })
                    || !Matching.Matches(sel, pod.Metadata.Labels)
                    || pdb.Status?.DisruptedPods?.ContainsKey(pod.Metadata.Name) == true)
                {
                    continue;
                }

                allowed[i]--;
                if (allowed[i] < 0)
                {
                    violates = true;
                }
            }

            (violates ? violating : nonViolating).Add(pod);
        }

        return (violating, nonViolating);
    }

    /// <summary>
    /// Upstream's <c>pickOneNodeForPreemption</c> criteria, in order: fewest PDB violations, lowest highest victim
    /// priority, smallest priority sum, fewest victims, then the latest start among the highest-priority victims'
    /// earliest start times (a victim not started yet counts as starting now); otherwise the first node stays.
    /// </summary>
    internal static bool Better((List<V1Pod> Victims, int Violations) a, (List<V1Pod> Victims, int Violations) b)
    {
        if (a.Violations != b.Violations)
        {
            return a.Violations < b.Violations;
        }

        var ha = a.Victims.Count == 0 ? int.MinValue : a.Victims.Max(p => p.Spec?.Priority ?? 0);
        var hb = b.Victims.Count == 0 ? int.MinValue : b.Victims.Max(p => p.Spec?.Priority ?? 0);
        if (ha != hb)
        {
            return ha < hb;
        }

        // Upstream sums priority + MaxInt32 + 1 so that every term is positive.
        var sa = a.Victims.Sum(p => (long)(p.Spec?.Priority ?? 0) + int.MaxValue + 1);
        var sb = b.Victims.Sum(p => (long)(p.Spec?.Priority ?? 0) + int.MaxValue + 1);
        if (sa != sb)
        {
            return sa < sb;
        }

        if (a.Victims.Count != b.Victims.Count)
        {
            return a.Victims.Count < b.Victims.Count;
        }

        return EarliestStart(a.Victims, ha) > EarliestStart(b.Victims, hb);
    }

    /// <summary>Upstream's <c>GetEarliestPodStartTime</c> over the victims of the highest priority.</summary>
    private static DateTime EarliestStart(List<V1Pod> victims, int highest)
    {
        var now = DateTime.UtcNow;
        var earliest = DateTime.MaxValue;
        foreach (var p in victims)
        {
            if ((p.Spec?.Priority ?? 0) == highest)
            {
                var start = p.Status?.StartTime is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : now;
                if (start < earliest)
                {
                    earliest = start;
                }
            }
        }

        return earliest;
    }
}
