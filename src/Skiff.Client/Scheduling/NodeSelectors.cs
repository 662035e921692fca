using System.Globalization;
using k8s.Models;

namespace Skiff.Client.Scheduling;

/// <summary>
/// Whether a node selector (required node affinity, a PersistentVolume's node affinity) matches a node, as upstream's
/// <c>component-helpers/scheduling/corev1/nodeaffinity</c> (shared there by the scheduler and the DaemonSet controller,
/// as here).
/// </summary>
public static class NodeSelectors
{
    /// <summary>Upstream's <c>NodeSelector.Match</c>: the terms are ORed; an empty list matches nothing.</summary>
    public static bool Matches(V1NodeSelector selector, V1Node node)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return (selector.NodeSelectorTerms ?? []).Any(t => Matches(t, node));
    }

    /// <summary>One node selector term: its label and field expressions are ANDed; an empty term matches nothing.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(node);
        var exprs = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (exprs.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        return exprs.All(r => Matches(r, labels.TryGetValue(r.Key, out var v) ? v : null))
            && fields.All(r => r.Key == "metadata.name" && Matches(r, node.Metadata?.Name));
    }

    /// <summary>One requirement against a label's (or field's) value, null when the node has none; <c>Gt</c>/<c>Lt</c>
    /// compare one integer value.</summary>
    private static bool Matches(V1NodeSelectorRequirement r, string? value)
    {
        var values = r.Values ?? [];
        return r.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" or "Lt" when value is not null && values.Count == 1 &&
                long.TryParse(value, CultureInfo.InvariantCulture, out var actual) &&
                long.TryParse(values[0], CultureInfo.InvariantCulture, out var bound) => r.OperatorProperty == "Gt" ? actual > bound : actual < bound,
            _ => false,
        };
    }
}
