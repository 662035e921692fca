using k8s.Models;
using Skiff.Api.Selectors;
using Skiff.Client.Runtime;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// One topology spread constraint as upstream's plugin uses it (<c>topologySpreadConstraint</c>): the selector already
/// merged with the pod's values of <c>matchLabelKeys</c>, <c>minDomains</c> defaulted to 1, <c>nodeAffinityPolicy</c>
/// defaulted to Honor and <c>nodeTaintsPolicy</c> to Ignore. The selector is compiled once (upstream converts it with
/// <c>metav1.LabelSelectorAsSelector</c> when it builds the constraint), so that counting the pods of every node, once
/// per node and scheduling cycle, neither re-reads the API model nor allocates.
/// </summary>
internal sealed record SpreadConstraint(int MaxSkew, string TopologyKey, V1LabelSelector Selector, int MinDomains, bool HonorNodeAffinity, bool HonorNodeTaints)
{
    private readonly V1LabelSelector _selector = Selector;

    // Compiled on first use (a benign race: every thread compiles the same matcher); null again when Selector is set.
    private LabelSelector? _matcher;

    /// <summary>The merged selector; setting it (also through <c>with</c>) drops the compiled matcher.</summary>
    public V1LabelSelector Selector
    {
        get => _selector;
        init
        {
            _selector = value;
            _matcher = null;
        }
    }

    /// <summary>Whether <see cref="TopologyKey"/> is the hostname label (whose domains are counted per node, in Score).</summary>
    public bool IsHostname => TopologyKey == PodTopologySpread.LabelHostname;

    /// <summary>Whether the selector matches <paramref name="labels"/> (null: none).</summary>
    public bool Matches(IDictionary<string, string>? labels) =>
        (_matcher ??= LabelSelectors.FromOrNothing(_selector)).Matches(labels as IReadOnlyDictionary<string, string> ?? (labels is null ? null : new Dictionary<string, string>(labels, StringComparer.Ordinal)));

    /// <summary>Upstream's <c>filterTopologySpreadConstraints</c>: the constraints with <paramref name="action"/>, resolved against the pod's labels.</summary>
    public static List<SpreadConstraint> From(IEnumerable<V1TopologySpreadConstraint> constraints, IDictionary<string, string>? podLabels, string action)
    {
        var result = new List<SpreadConstraint>();
        foreach (var c in constraints)
        {
            if (c.WhenUnsatisfiable != action)
            {
                continue;
            }

            var selector = new V1LabelSelector
            {
                MatchLabels = c.LabelSelector?.MatchLabels is { } ml ? new Dictionary<string, string>(ml) : new Dictionary<string, string>(),
                MatchExpressions = c.LabelSelector?.MatchExpressions is { } me ? [.. me] : [],
            };
            if (c.LabelSelector is null)
            {
                // A nil selector selects nothing: make it unsatisfiable.
                selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = "", OperatorProperty = "In", Values = [] });
            }

            foreach (var key in c.MatchLabelKeys ?? [])
            {
                if (podLabels is not null && podLabels.TryGetValue(key, out var v))
                {
                    selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = "In", Values = [v] });
                }
            }

            result.Add(new SpreadConstraint(c.MaxSkew, c.TopologyKey, selector, c.MinDomains ?? 1, c.NodeAffinityPolicy != "Ignore", c.NodeTaintsPolicy == "Honor"));
        }

        return result;
    }

    /// <summary>Upstream's <c>matchNodeInclusionPolicies</c>: whether the node's domain counts for this constraint.</summary>
    public bool Includes(V1Pod pod, V1Node node)
    {
        if (HonorNodeAffinity && !RequiredNodeAffinityMatches(pod, node))
        {
            return false;
        }

        return !HonorNodeTaints || (node.Spec?.Taints ?? []).All(t => t.Effect is not ("NoSchedule" or "NoExecute") || Matching.Tolerates(pod.Spec?.Tolerations, t));
    }

    /// <summary>Upstream's <c>countPodsMatchSelector</c>: pods of <paramref name="ns"/>, not terminating, that the selector matches.</summary>
    public int Count(IReadOnlyList<V1Pod> pods, string ns)
    {
        var n = 0;
        for (var i = 0; i < pods.Count; i++)
        {
            var p = pods[i];
            if (p.Metadata.DeletionTimestamp is null && p.Metadata.NamespaceProperty == ns && Matches(p.Metadata.Labels))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Upstream's <c>nodeLabelsMatchSpreadConstraints</c>: the node has every constraint's topology key.</summary>
    public static bool HasAllKeys(IDictionary<string, string>? labels, IReadOnlyList<SpreadConstraint> constraints) =>
        constraints.All(c => labels is not null && labels.ContainsKey(c.TopologyKey));

    /// <summary><c>nodeSelector</c> and required node affinity (upstream <c>GetRequiredNodeAffinity(pod).Match</c>).</summary>
    private static bool RequiredNodeAffinityMatches(V1Pod pod, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var (k, v) in pod.Spec?.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || Matching.Matches(required, node);
    }
}
