using k8s.Models;
using Skiff.Api.Selectors;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>metav1.LabelSelector as a matcher, as NetworkPolicy reads it (null matches nothing, empty matches all).</summary>
internal static class PolicySelectors
{
    /// <summary>The matcher; an invalid selector (which validation rejects) matches nothing.</summary>
    public static LabelSelector From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return LabelSelector.Nothing;
        }

        try
        {
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
        catch (SelectorParseException)
        {
            return LabelSelector.Nothing;
        }
    }
}
