using System.Globalization;
using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>Upstream's <c>matchSuccessPolicy</c> (<c>success_policy.go</c>) for Indexed Jobs.</summary>
internal static class SuccessPolicyMatch
{
    /// <summary>
    /// The message of the first rule the succeeded indexes satisfy (<c>"Matched rules at index N"</c>): a rule with
    /// succeededIndexes needs all of them, or succeededCount of them; a rule with only succeededCount needs that many
    /// succeeded indexes. Null when there is no policy, no succeeded index or no rule matched.
    /// </summary>
    public static string? Match(V1SuccessPolicy? policy, int completions, OrderedIntervals succeeded)
    {
        if (policy?.Rules is not { } rules || succeeded.Intervals.Count == 0)
        {
            return null;
        }

        for (var index = 0; index < rules.Count; index++)
        {
            var rule = rules[index];
            if (rule.SucceededIndexes is not null)
            {
                var required = OrderedIntervals.Parse(rule.SucceededIndexes, completions);
                if (required.Intervals.Count == 0)
                {
                    continue;
                }

                if (MatchesIndexes(required, succeeded, rule.SucceededCount))
                {
                    return Message(index);
                }
            }
            else if (rule.SucceededCount is { } count && succeeded.Total >= count)
            {
                return Message(index);
            }
        }

        return null;
    }

    private static string Message(int index) => string.Create(CultureInfo.InvariantCulture, $"Matched rules at index {index}");

    private static bool MatchesIndexes(OrderedIntervals rule, OrderedIntervals succeeded, int? succeededCount)
    {
        int contains = 0, s = 0, r = 0;
        var ri = rule.Intervals;
        var si = succeeded.Intervals;
        while (r < ri.Count && s < si.Count)
        {
            var overlap = Math.Min(ri[r].Last, si[s].Last) - Math.Max(ri[r].First, si[s].First) + 1;
            if (overlap > 0)
            {
                contains += overlap;
            }

            if (si[s].Last < ri[r].Last)
            {
                s++;
            }
            else if (si[s].Last > ri[r].Last)
            {
                r++;
            }
            else
            {
                s++;
                r++;
            }
        }

        return contains == rule.Total || (succeededCount is { } n && contains >= n);
    }
}
