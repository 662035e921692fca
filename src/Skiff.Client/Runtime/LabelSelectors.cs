using k8s.Models;
using Skiff.Api.Selectors;

namespace Skiff.Client.Runtime;

/// <summary>metav1.LabelSelector as a matcher (upstream <c>metav1.LabelSelectorAsSelector</c>).</summary>
public static class LabelSelectors
{
    /// <summary>The selector's matcher: null matches nothing, an empty selector matches everything.</summary>
    /// <exception cref="SelectorParseException">An invalid operator, key or value.</exception>
    public static LabelSelector From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return LabelSelector.Nothing;
        }

        var reqs = new List<LabelRequirement>();
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            reqs.Add(LabelRequirement.Create(k, SelectorOperator.Equals, [v]));
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var op = e.OperatorProperty switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                _ => throw new SelectorParseException($"\"{e.OperatorProperty}\" is not a valid label selector operator"),
            };
            reqs.Add(LabelRequirement.Create(e.Key, op, e.Values is { Count: > 0 } values ? values : null));
        }

        return reqs.Count == 0 ? LabelSelector.Everything : LabelSelector.FromRequirements(reqs);
    }

    /// <summary>As <see cref="From"/>, but an invalid selector (which validation rejects) matches nothing.</summary>
    public static LabelSelector FromOrNothing(V1LabelSelector? selector)
    {
        try
        {
            return From(selector);
        }
        catch (SelectorParseException)
        {
            return LabelSelector.Nothing;
        }
    }
}
