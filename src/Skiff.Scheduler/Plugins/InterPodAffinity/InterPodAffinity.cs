using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Upstream's <c>InterPodAffinity</c> filter (required terms). PreFilter counts, per topology pair
/// (<c>topologyKey</c>, node label value): existing pods matching the incoming pod's anti-affinity terms, existing pods
/// whose anti-affinity terms match the incoming pod, and existing pods matching all its affinity terms. Filter then
/// rejects a node whose domain holds a conflicting pod (<c>node(s) didn't match pod anti-affinity rules</c>,
/// <c>node(s) didn't satisfy existing pods anti-affinity rules</c>) or lacks a required one (<c>node(s) didn't match
/// pod affinity rules</c>; allowed when no pod matches anywhere and the pod matches its own terms). A term's namespaces
/// default to the pod's own; <c>namespaceSelector</c> is not evaluated. Preferred terms are not scored.
/// </summary>
internal sealed class InterPodAffinity : IPreFilterPlugin, IFilterPlugin
{
    public const string PluginName = "InterPodAffinity";
    public const string ErrReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
    public const string ErrReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinity = "node(s) didn't match pod affinity rules";
    private const string StateKey = "PreFilter" + PluginName;

    public string Name => PluginName;

    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var affinity = pod.Spec?.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
        var anti = pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
        var s = new PreFilterState();
        var ownTerms = affinity.Count > 0 || anti.Count > 0;
        foreach (var node in nodes)
        {
            var labels = node.Node.Metadata.Labels ?? new Dictionary<string, string>();
            foreach (var existing in ownTerms ? node.Pods : node.PodsWithRequiredAntiAffinity)
            {
                foreach (var term in anti)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var v) && TermMatches(term, pod, existing))
                    {
                        Inc(s.AntiAffinity, term.TopologyKey, v);
                    }
                }

                foreach (var term in existing.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
                {
                    if (labels.TryGetValue(term.TopologyKey, out var v) && TermMatches(term, existing, pod))
                    {
                        Inc(s.ExistingAntiAffinity, term.TopologyKey, v);
                    }
                }

                if (affinity.Count > 0 && affinity.All(t => TermMatches(t, pod, existing)))
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

        if (affinity.Count == 0 && anti.Count == 0 && s.ExistingAntiAffinity.Count == 0)
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
        foreach (var term in pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [])
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

        var affinity = pod.Spec?.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution ?? [];
        if (affinity.Count > 0)
        {
            var satisfied = affinity.All(t => labels.TryGetValue(t.TopologyKey, out var v) && s.Affinity.GetValueOrDefault((t.TopologyKey, v)) > 0);
            if (!satisfied)
            {
                // The first pod of a group that selects itself may go anywhere its topology keys exist.
                var selfMatch = s.Affinity.Count == 0 && affinity.All(t => TermMatches(t, pod, pod) && labels.ContainsKey(t.TopologyKey));
                if (!selfMatch)
                {
                    return Status.Unresolvable(ErrReasonAffinity);
                }
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="target"/> is selected by <paramref name="owner"/>'s term (its namespaces default to the owner's).</summary>
    private static bool TermMatches(V1PodAffinityTerm term, V1Pod owner, V1Pod target)
    {
        var namespaces = term.Namespaces is { Count: > 0 } ns ? ns : term.NamespaceSelector is null ? [owner.Metadata.NamespaceProperty] : null;
        if (namespaces is not null && !namespaces.Contains(target.Metadata.NamespaceProperty))
        {
            return false;
        }

        if (namespaces is null && term.NamespaceSelector is { MatchLabels: null or { Count: 0 }, MatchExpressions: null or { Count: 0 } } is false)
        {
            // A non-empty namespaceSelector needs namespace labels this plugin does not track: treat as the owner's namespace.
            if (target.Metadata.NamespaceProperty != owner.Metadata.NamespaceProperty)
            {
                return false;
            }
        }

        return Matching.Matches(term.LabelSelector, target.Metadata.Labels);
    }

    private static void Inc(Dictionary<(string, string), int> counts, string key, string value) =>
        counts[(key, value)] = counts.GetValueOrDefault((key, value)) + 1;

    private sealed class PreFilterState
    {
        public Dictionary<(string, string), int> AntiAffinity { get; } = [];

        public Dictionary<(string, string), int> ExistingAntiAffinity { get; } = [];

        public Dictionary<(string, string), int> Affinity { get; } = [];
    }
}
