namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream's rule arithmetic (<c>pkg/registry/rbac/validation/policy_compact.go</c>, <c>policy_comparator.go</c>):
/// whether one set of rules covers another (used by escalation prevention and by the bootstrap reconcile), broken
/// down to single-verb, single-resource rules, and compacted again for messages.
/// </summary>
public static class RuleCoverage
{
    /// <summary>True when <paramref name="owner"/> covers every rule of <paramref name="requested"/>; otherwise also the uncovered simple rules.</summary>
    public static (bool Covered, List<PolicyRule> Missing) Covers(IReadOnlyList<PolicyRule> owner, IEnumerable<PolicyRule> requested)
    {
        var missing = new List<PolicyRule>();
        foreach (var rule in requested)
        {
            foreach (var simple in Breakdown(rule))
            {
                if (!owner.Any(o => RuleCovers(o, simple)))
                {
                    missing.Add(simple);
                }
            }
        }

        return (missing.Count == 0, missing);
    }

    /// <summary>
    /// Splits a rule into rules of one verb and one group/resource (keeping resource names), or one verb and one
    /// non-resource URL (upstream <c>BreakdownRule</c>).
    /// </summary>
    public static IEnumerable<PolicyRule> Breakdown(PolicyRule rule)
    {
        foreach (var group in rule.ApiGroups)
        {
            foreach (var resource in rule.Resources)
            {
                foreach (var verb in rule.Verbs)
                {
                    if (rule.ResourceNames.Count > 0)
                    {
                        foreach (var name in rule.ResourceNames)
                        {
                            yield return PolicyRule.Resource([verb], [group], [resource], [name]);
                        }
                    }
                    else
                    {
                        yield return PolicyRule.Resource([verb], [group], [resource]);
                    }
                }
            }
        }

        foreach (var url in rule.NonResourceUrls)
        {
            foreach (var verb in rule.Verbs)
            {
                yield return PolicyRule.Urls([verb], [url]);
            }
        }
    }

    /// <summary>Upstream <c>ruleCovers</c>: verbs, groups, resources (with <c>*</c>, <c>res/*</c>, <c>*/sub</c>), names and URLs all covered.</summary>
    public static bool RuleCovers(PolicyRule owner, PolicyRule sub)
    {
        var verbs = owner.Verbs.Contains("*") || sub.Verbs.All(owner.Verbs.Contains);
        var groups = owner.ApiGroups.Contains("*") || sub.ApiGroups.All(owner.ApiGroups.Contains);
        var resources = sub.Resources.All(r => ResourceCovers(owner.Resources, r));
        var urls = sub.NonResourceUrls.All(u => owner.NonResourceUrls.Any(o => o == u || (o.EndsWith('*') && u.StartsWith(o.TrimEnd('*'), StringComparison.Ordinal))));
        var names = sub.ResourceNames.Count == 0
            ? owner.ResourceNames.Count == 0
            : owner.ResourceNames.Count == 0 || sub.ResourceNames.All(owner.ResourceNames.Contains);
        return verbs && groups && resources && names && urls;
    }

    private static bool ResourceCovers(IReadOnlyList<string> owner, string requested)
    {
        if (owner.Contains("*") || owner.Contains(requested))
        {
            return true;
        }

        var slash = requested.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && (owner.Contains(requested[..slash] + "/*") || owner.Contains("*/" + requested[(slash + 1)..]));
    }

    /// <summary>
    /// Merges simple resource rules that differ only in verb (upstream <c>CompactRules</c>), keeping first-seen order
    /// of verbs; other rules are kept as they are.
    /// </summary>
    public static List<PolicyRule> Compact(IEnumerable<PolicyRule> rules)
    {
        var result = new List<PolicyRule>();
        var merged = new Dictionary<(string Group, string Resource), int>();
        foreach (var r in rules)
        {
            if (r.ApiGroups.Count == 1 && r.Resources.Count == 1 && r.ResourceNames.Count == 0 && r.NonResourceUrls.Count == 0)
            {
                var key = (r.ApiGroups[0], r.Resources[0]);
                if (merged.TryGetValue(key, out var i))
                {
                    result[i] = result[i] with { Verbs = result[i].Verbs.Concat(r.Verbs.Where(v => !result[i].Verbs.Contains(v))).ToArray() };
                    continue;
                }

                merged[key] = result.Count;
            }

            result.Add(r);
        }

        return result;
    }
}
