using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A pod (anti-)affinity term resolved against its owner (upstream <c>framework.AffinityTerm</c>): the namespaces it
/// names (the owner's own when it names none and has no <c>namespaceSelector</c>), its namespace selector (null
/// selects no namespace, an empty one every namespace), its label selector, topology key and weight (1 for required
/// terms).
/// </summary>
public sealed class AffinityTerm
{
    private AffinityTerm(V1PodAffinityTerm term, string ownerNamespace, int weight)
    {
        Namespaces = term.Namespaces is { Count: > 0 } || term.NamespaceSelector is not null
            ? new HashSet<string>(term.Namespaces ?? [], StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal) { ownerNamespace };
        NamespaceSelector = term.NamespaceSelector;
        Selector = term.LabelSelector;
        TopologyKey = term.TopologyKey;
        Weight = weight;
    }

    public IReadOnlySet<string> Namespaces { get; }

    public V1LabelSelector? NamespaceSelector { get; }

    public V1LabelSelector? Selector { get; }

    public string TopologyKey { get; }

    public int Weight { get; }

    /// <summary>Upstream's <c>AffinityTerm.Matches</c>: the pod's namespace is named or selected, and its labels match.</summary>
    public bool Matches(V1Pod pod, IClusterLister cluster)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "";
        if (!Namespaces.Contains(ns))
        {
            if (NamespaceSelector is null)
            {
                return false;
            }

            var labels = cluster.NamespaceLabels(ns);
            if (!IsEmpty(NamespaceSelector) && (labels is null || !Matching.Matches(NamespaceSelector, labels)))
            {
                return false;
            }
        }

        return Matching.Matches(Selector, pod.Metadata.Labels);
    }

    /// <summary>The pod's required affinity terms.</summary>
    public static IReadOnlyList<AffinityTerm> RequiredAffinity(V1Pod pod) =>
        Required(pod, pod.Spec?.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);

    /// <summary>The pod's required anti-affinity terms.</summary>
    public static IReadOnlyList<AffinityTerm> RequiredAntiAffinity(V1Pod pod) =>
        Required(pod, pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);

    /// <summary>The pod's preferred affinity terms, with their weights.</summary>
    public static IReadOnlyList<AffinityTerm> PreferredAffinity(V1Pod pod) =>
        Preferred(pod, pod.Spec?.Affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);

    /// <summary>The pod's preferred anti-affinity terms, with their weights.</summary>
    public static IReadOnlyList<AffinityTerm> PreferredAntiAffinity(V1Pod pod) =>
        Preferred(pod, pod.Spec?.Affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);

    private static bool IsEmpty(V1LabelSelector s) => s.MatchLabels is null or { Count: 0 } && s.MatchExpressions is null or { Count: 0 };

    private static IReadOnlyList<AffinityTerm> Required(V1Pod pod, IList<V1PodAffinityTerm>? terms) =>
        terms is null or { Count: 0 } ? [] : [.. terms.Select(t => new AffinityTerm(t, pod.Metadata.NamespaceProperty ?? "", 1))];

    private static IReadOnlyList<AffinityTerm> Preferred(V1Pod pod, IList<V1WeightedPodAffinityTerm>? terms) =>
        terms is null or { Count: 0 } ? [] : [.. terms.Select(t => new AffinityTerm(t.PodAffinityTerm, pod.Metadata.NamespaceProperty ?? "", t.Weight))];
}
