using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Upstream's <c>InterPodAffinity</c>. Filter (required terms): PreFilter counts, per topology pair (<c>topologyKey</c>,
/// node label value), existing pods matching the incoming pod's anti-affinity terms, existing pods whose anti-affinity
/// terms match the incoming pod, and existing pods matching all its affinity terms. Filter then rejects a node whose
/// domain holds a conflicting pod (<c>node(s) didn't match pod anti-affinity rules</c>, <c>node(s) didn't satisfy
/// existing pods anti-affinity rules</c>) or lacks a required one (<c>node(s) didn't match pod affinity rules</c>;
/// allowed when no pod matches anywhere and the pod matches its own terms). Score (preferred terms, see the Scoring
/// part). Terms honour <c>namespaces</c> and <c>namespaceSelector</c> (namespace labels from the
/// <see cref="IClusterLister"/>); <c>matchLabelKeys</c>/<c>mismatchLabelKeys</c> are merged into the selector by the
/// API server upstream, so the scheduler reads only the selector.
/// </summary>
internal sealed partial class InterPodAffinity : IPreFilterPlugin, IFilterPlugin
{
    public const string PluginName = "InterPodAffinity";
    public const string ErrReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
    public const string ErrReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinity = "node(s) didn't match pod affinity rules";
    private const string StateKey = "PreFilter" + PluginName;
    private readonly IClusterLister _cluster;

    /// <param name="cluster">Namespace labels for <c>namespaceSelector</c>.</param>
    /// <param name="hardPodAffinityWeight">Upstream's <c>hardPodAffinityWeight</c> (default 1): the score an existing pod's required affinity term adds.</param>
    public InterPodAffinity(IClusterLister? cluster = null, int hardPodAffinityWeight = 1)
    {
        _cluster = cluster ?? EmptyClusterLister.Instance;
        HardPodAffinityWeight = hardPodAffinityWeight;
    }

    public string Name => PluginName;

    public int HardPodAffinityWeight { get; }

    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var affinity = AffinityTerm.RequiredAffinity(pod);
        var anti = AffinityTerm.RequiredAntiAffinity(pod);
        var s = new PreFilterState(affinity, anti);
        var ownTerms = affinity.Count > 0 || anti.Count > 0;

        // A pod without terms only meets existing pods' required anti-affinity: only the nodes holding such pods count.
        foreach (var node in ownTerms ? nodes : state.NodesWithRequiredAntiAffinityPods ?? nodes)
        {
            var labels = node.Node.Metadata.Labels;
            if (labels is null || labels.Count == 0)
            {
                continue;
            }

            foreach (var existing in ownTerms ? node.Pods : node.PodsWithRequiredAntiAffinity)
            {
                foreach (var term in anti)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var v) && term.Matches(existing, _cluster))
                    {
                        Inc(s.AntiAffinity, term.TopologyKey, v);
                    }
                }

                foreach (var term in AffinityTerm.RequiredAntiAffinity(existing))
                {
                    if (labels.TryGetValue(term.TopologyKey, out var v) && term.Matches(pod, _cluster))
                    {
                        Inc(s.ExistingAntiAffinity, term.TopologyKey, v);
                    }
                }

                if (affinity.Count > 0 && affinity.All(t => t.Matches(existing, _cluster)))
                {
                    foreach (var term in affinity)
                    {
                        if (labels.TryGetValue(term.TopologyKey, out var v))
                        {
                            Inc(s.Affinity, term.TopologyKey, v);
                        }
                    }
                }
            }
        }

        if (!ownTerms && s.ExistingAntiAffinity.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(StateKey, s);
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var s = state.Read<PreFilterState>(StateKey);
        if (s is null)
        {
            return null;
        }

        var labels = node.Node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var term in s.AntiTerms)
        {
            if (labels.TryGetValue(term.TopologyKey, out var v) && s.AntiAffinity.GetValueOrDefault((term.TopologyKey, v)) > 0)
            {
                return Status.Unschedulable(ErrReasonAntiAffinity);
            }
        }

        foreach (var ((key, value), count) in s.ExistingAntiAffinity)
        {
            if (count > 0 && labels.TryGetValue(key, out var v) && v == value)
            {
                return Status.Unschedulable(ErrReasonExistingAntiAffinity);
            }
        }

        if (s.AffinityTerms.Count > 0)
        {
            var podsExist = true;
            foreach (var t in s.AffinityTerms)
            {
                if (!labels.TryGetValue(t.TopologyKey, out var v))
                {
                    // All topology labels must exist on the node.
                    return Status.Unresolvable(ErrReasonAffinity);
                }

                if (s.Affinity.GetValueOrDefault((t.TopologyKey, v)) <= 0)
                {
                    podsExist = false;
                }
            }

            // The first pod of a group that selects itself may go anywhere its topology keys exist.
            if (!podsExist && !(s.Affinity.Count == 0 && s.AffinityTerms.All(t => t.Matches(pod, _cluster))))
            {
                return Status.Unresolvable(ErrReasonAffinity);
            }
        }

        return null;
    }

    private static void Inc(Dictionary<(string, string), int> counts, string key, string value) =>
        counts[(key, value)] = counts.GetValueOrDefault((key, value)) + 1;

    private sealed class PreFilterState(IReadOnlyList<AffinityTerm> affinityTerms, IReadOnlyList<AffinityTerm> antiTerms)
    {
        public IReadOnlyList<AffinityTerm> AffinityTerms { get; } = affinityTerms;

        public IReadOnlyList<AffinityTerm> AntiTerms { get; } = antiTerms;

        public Dictionary<(string, string), int> AntiAffinity { get; } = [];

        public Dictionary<(string, string), int> ExistingAntiAffinity { get; } = [];

        public Dictionary<(string, string), int> Affinity { get; } = [];
    }
}
