using System.Globalization;
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

    /// <summary>Upstream's <c>nodeaffinity.NodeSelector</c>: the terms are ORed; an empty list matches nothing.</summary>
    public static bool Matches(V1NodeSelector selector, V1Node node) => (selector.NodeSelectorTerms ?? []).Any(t => Matches(t, node));

    /// <summary>One node selector term: its label and field expressions are ANDed; an empty term matches nothing.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var exprs = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (exprs.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        return exprs.All(r => Matches(r, labels.TryGetValue(r.Key, out var v) ? v : null))
            && fields.All(r => r.Key == "metadata.name" && Matches(r, node.Metadata.Name));
    }

    private static bool Matches(V1NodeSelectorRequirement r, string? value)
    {
        var values = r.Values ?? [];
        return r.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => value is not null && values.Count == 1 && long.TryParse(value, CultureInfo.InvariantCulture, out var a) && long.TryParse(values[0], CultureInfo.InvariantCulture, out var b) && a > b,
            "Lt" => value is not null && values.Count == 1 && long.TryParse(value, CultureInfo.InvariantCulture, out var c) && long.TryParse(values[0], CultureInfo.InvariantCulture, out var d) && c < d,
            _ => false,
        };
    }

    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) => Skiff.Client.Scheduling.Tolerations.Tolerates(tolerations, taint);
}
