using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// A policy's <c>matchConstraints</c> or a binding's <c>matchResources</c> (upstream's <c>MatchResources</c> and
/// <c>policy/matching.Matcher</c>): namespace and object selectors, <c>resourceRules</c> (with optional
/// <c>resourceNames</c>; none means every resource, for bindings), <c>excludeResourceRules</c>, and
/// <c>matchPolicy</c> (Equivalent also tries the other served versions of the resource).
/// </summary>
public sealed class PolicyMatchResources
{
    private PolicyMatchResources(JsonObject? mr)
    {
        MatchPolicy = JsonPath.Str(mr, "matchPolicy") ?? "Equivalent";
        NamespaceSelector = LabelSelector.FromJsonOrNothing(JsonPath.Obj(mr, "namespaceSelector"), out var nsError);
        ObjectSelector = LabelSelector.FromJsonOrNothing(JsonPath.Obj(mr, "objectSelector"), out var objError);
        SelectorError = nsError ?? objError;
        ResourceRules = JsonPath.Objects(mr, "resourceRules").Select(NamedRule.FromJson).ToList();
        ExcludeResourceRules = JsonPath.Objects(mr, "excludeResourceRules").Select(NamedRule.FromJson).ToList();
    }

    /// <summary>Matches everything (a binding without matchResources).</summary>
    public static PolicyMatchResources Everything { get; } = new(null);

    /// <summary><c>Equivalent</c> or <c>Exact</c>.</summary>
    public string MatchPolicy { get; }

    /// <summary>The namespace selector.</summary>
    public LabelSelector NamespaceSelector { get; }

    /// <summary>The object selector.</summary>
    public LabelSelector ObjectSelector { get; }

    /// <summary>A selector that did not parse, or null.</summary>
    public string? SelectorError { get; }

    /// <summary>The rules that select requests.</summary>
    public IReadOnlyList<NamedRule> ResourceRules { get; }

    /// <summary>The rules that exclude requests.</summary>
    public IReadOnlyList<NamedRule> ExcludeResourceRules { get; }

    /// <summary>Reads a MatchResources object (null: matches everything).</summary>
    public static PolicyMatchResources FromJson(JsonObject? mr) => mr is null ? Everything : new PolicyMatchResources(mr);

    /// <summary>
    /// Whether the request matches: selectors first, then the exclusions, then the rules (in the request's version,
    /// or under Equivalent in another served version of the same resource). <paramref name="namespaceLabels"/> is
    /// the labels of the request's namespace (null for cluster-scoped requests).
    /// </summary>
    public bool Matches(AdmissionAttributes a, JsonObject? namespaceLabels, ResourceRegistry? registry)
    {
        if (SelectorError is { } error)
        {
            throw new PolicyEvaluationException(error);
        }

        var isNamespace = a.Group.Length == 0 && a.Resource == "namespaces" && a.Subresource.Length == 0;
        if (!NamespaceSelector.IsEmpty && (a.Namespace.Length > 0 || isNamespace))
        {
            var labels = isNamespace ? JsonPath.Obj(a.Object ?? a.OldObject, "metadata", "labels") : namespaceLabels;
            if (!NamespaceSelector.Matches(labels))
            {
                return false;
            }
        }

        if (!ObjectSelector.IsEmpty && !Labelled(a.Object) && !Labelled(a.OldObject))
        {
            return false;
        }

        if (AnyRuleMatches(ExcludeResourceRules, a, registry))
        {
            return false;
        }

        return ResourceRules.Count == 0 || AnyRuleMatches(ResourceRules, a, registry);
    }

    private bool AnyRuleMatches(IReadOnlyList<NamedRule> rules, AdmissionAttributes a, ResourceRegistry? registry)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(a, a.Group, a.Version, a.Resource))
            {
                return true;
            }
        }

        if (MatchPolicy != "Equivalent" || registry is null)
        {
            return false;
        }

        foreach (var d in registry.All)
        {
            if (d.Group == a.Group && d.Resource == a.Resource && d.Version != a.Version && rules.Any(r => r.Matches(a, d.Group, d.Version, d.Resource)))
            {
                return true;
            }
        }

        return false;
    }

    private bool Labelled(JsonObject? obj) => obj is not null && ObjectSelector.Matches(JsonPath.Obj(obj, "metadata", "labels"));

    /// <summary>A <c>NamedRuleWithOperations</c>: a webhook rule plus optional resource names.</summary>
    /// <param name="Rule">The rule.</param>
    /// <param name="ResourceNames">The names the rule is limited to (empty: any).</param>
    public sealed record NamedRule(WebhookRule Rule, IReadOnlyList<string> ResourceNames)
    {
        /// <summary>Reads one rule.</summary>
        public static NamedRule FromJson(JsonObject rule) =>
            new(WebhookRule.FromJson(rule), JsonPath.Arr(rule, "resourceNames")?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? []);

        /// <summary>Whether the rule matches the request, seen as <paramref name="group"/>/<paramref name="version"/>/<paramref name="resource"/>.</summary>
        public bool Matches(AdmissionAttributes a, string group, string version, string resource) =>
            Rule.Matches(a.Operation, group, version, resource, a.Subresource, a.Namespace)
            && (ResourceNames.Count == 0 || ResourceNames.Contains(a.Name, StringComparer.Ordinal));
    }
}
