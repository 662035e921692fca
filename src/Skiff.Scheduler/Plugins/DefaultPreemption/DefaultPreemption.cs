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
/// pods are still terminating does not preempt again. PodDisruptionBudgets are not consulted.
/// </summary>
internal sealed class DefaultPreemption(Clientset? clientset = null) : IPostFilterPlugin, IProfileAware
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
        (NodeInfo Node, List<V1Pod> Victims)? best = null;
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

            var victims = new List<V1Pod>();
            foreach (var v in candidates)
            {
                trial.AddPod(v);
                if (Fits(state, pod, trial, nodes) is not null)
                {
                    trial.RemovePod(v.Metadata.Uid);
                    victims.Add(v);
                }
            }

            if (best is null || Better(victims, best.Value.Victims))
            {
                best = (node, victims);
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

    private static bool Better(List<V1Pod> a, List<V1Pod> b)
    {
        var ha = a.Count == 0 ? int.MinValue : a.Max(p => p.Spec?.Priority ?? 0);
        var hb = b.Count == 0 ? int.MinValue : b.Max(p => p.Spec?.Priority ?? 0);
        return ha != hb ? ha < hb : a.Count < b.Count;
    }
}
