using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Label-selector, node-selector and toleration matching as upstream's helpers define them.</summary>
internal static class Matching
{
    /// <summary>A metav1 LabelSelector against labels; a null selector matches nothing (as upstream's affinity terms treat it).</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(e.Key, out var actual);
            var ok = e.OperatorProperty switch
            {
                "In" => has && (e.Values ?? []).Contains(actual!),
                "NotIn" => !has || !(e.Values ?? []).Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Upstream's <c>nodeaffinity.NodeSelector</c> (<see cref="Skiff.Client.Scheduling.NodeSelectors"/>).</summary>
    public static bool Matches(V1NodeSelector selector, V1Node node) => Skiff.Client.Scheduling.NodeSelectors.Matches(selector, node);

    /// <summary>One node selector term (<see cref="Skiff.Client.Scheduling.NodeSelectors"/>).</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node) => Skiff.Client.Scheduling.NodeSelectors.Matches(term, node);

    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) => Skiff.Client.Scheduling.Tolerations.Tolerates(tolerations, taint);
}
