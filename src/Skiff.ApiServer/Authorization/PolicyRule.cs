using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// One RBAC rule (<c>rbac/v1 PolicyRule</c>) and upstream's matching (<c>plugin/pkg/auth/authorizer/rbac/rbac.go</c>
/// <c>RuleAllows</c> with the <c>rbacv1helpers</c> matchers): <c>*</c> matches any verb, group or resource,
/// <c>*/sub</c> any resource's subresource <c>sub</c>, an empty <see cref="ResourceNames"/> any name, and a
/// non-resource URL ending in <c>*</c> every path with that prefix.
/// </summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls)
{
    /// <summary>A resource rule.</summary>
    public static PolicyRule Resource(IReadOnlyList<string> verbs, IReadOnlyList<string> groups, IReadOnlyList<string> resources, IReadOnlyList<string>? names = null) =>
        new(verbs, groups, resources, names ?? [], []);

    /// <summary>A non-resource rule.</summary>
    public static PolicyRule Urls(IReadOnlyList<string> verbs, IReadOnlyList<string> urls) => new(verbs, [], [], [], urls);

    /// <summary>Reads a rule from its JSON form (missing lists are empty).</summary>
    public static PolicyRule FromJson(JsonObject rule) =>
        new(Strings(rule["verbs"]), Strings(rule["apiGroups"]), Strings(rule["resources"]), Strings(rule["resourceNames"]), Strings(rule["nonResourceURLs"]));

    /// <summary>The rules of a Role or ClusterRole object.</summary>
    public static IReadOnlyList<PolicyRule> FromRole(JsonObject role) =>
        role["rules"] is JsonArray rules ? rules.OfType<JsonObject>().Select(FromJson).ToArray() : [];

    /// <summary>The JSON form, with only the non-empty lists (as Go's omitempty writes it; verbs always).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["verbs"] = Array(Verbs) };
        if (ApiGroups.Count > 0 || Resources.Count > 0)
        {
            o["apiGroups"] = Array(ApiGroups);
        }

        if (Resources.Count > 0)
        {
            o["resources"] = Array(Resources);
        }

        if (ResourceNames.Count > 0)
        {
            o["resourceNames"] = Array(ResourceNames);
        }

        if (NonResourceUrls.Count > 0)
        {
            o["nonResourceURLs"] = Array(NonResourceUrls);
        }

        return o;
    }

    /// <summary>True when this rule allows <paramref name="a"/> (upstream <c>RuleAllows</c>).</summary>
    public bool Allows(AuthorizationAttributes a)
    {
        if (!a.IsResourceRequest)
        {
            return VerbMatches(a.Verb) && NonResourceUrlMatches(a.Path);
        }

        return VerbMatches(a.Verb) && GroupMatches(a.ApiGroup) && ResourceOrSubresourceMatches(a.Resource, a.Subresource) && NameMatches(a.Name);
    }

    /// <summary>
    /// True when a resource entry is <c>*</c>, <paramref name="resource"/> (no subresource), <c>resource/sub</c> or
    /// <c>*/sub</c>; compares in place, without building <c>resource/sub</c>.
    /// </summary>
    private bool ResourceOrSubresourceMatches(string resource, ReadOnlySpan<char> subresource)
    {
        foreach (var r in Resources)
        {
            if (r == "*")
            {
                return true;
            }

            if (subresource.IsEmpty)
            {
                if (r == resource)
                {
                    return true;
                }

                continue;
            }

            var slash = r.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !r.AsSpan(slash + 1).SequenceEqual(subresource))
            {
                continue;
            }

            var head = r.AsSpan(0, slash);
            if (head.SequenceEqual(resource) || head.SequenceEqual("*"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <see cref="Verbs"/> has <c>*</c> or <paramref name="verb"/>.</summary>
    public bool VerbMatches(string verb) => Has(Verbs, "*") || Has(Verbs, verb);

    /// <summary>True when <see cref="ApiGroups"/> has <c>*</c> or <paramref name="group"/>.</summary>
    public bool GroupMatches(string group) => Has(ApiGroups, "*") || Has(ApiGroups, group);

    /// <summary>True when a resource entry is <c>*</c>, <paramref name="combined"/> (<c>res/sub</c>) or <c>*/sub</c>.</summary>
    public bool ResourceMatches(string combined, string subresource)
    {
        foreach (var r in Resources)
        {
            if (r == "*" || r == combined)
            {
                return true;
            }

            if (subresource.Length > 0 && r.Length == subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <see cref="ResourceNames"/> is empty or has <paramref name="name"/>.</summary>
    public bool NameMatches(string name) => ResourceNames.Count == 0 || Has(ResourceNames, name);

    /// <summary>True when a URL entry is <c>*</c>, <paramref name="path"/>, or a <c>prefix*</c> of it.</summary>
    public bool NonResourceUrlMatches(string path)
    {
        foreach (var u in NonResourceUrls)
        {
            if (u == "*" || u == path || (u.EndsWith('*') && path.StartsWith(u.TrimEnd('*'), StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Upstream's <c>CompactString</c>: <c>{APIGroups:[""], Resources:["pods"], Verbs:["get"]}</c>.</summary>
    public string CompactString()
    {
        var parts = new List<string>();
        if (ApiGroups.Count > 0)
        {
            parts.Add("APIGroups:" + GoList(ApiGroups));
        }

        if (Resources.Count > 0)
        {
            parts.Add("Resources:" + GoList(Resources));
        }

        if (NonResourceUrls.Count > 0)
        {
            parts.Add("NonResourceURLs:" + GoList(NonResourceUrls));
        }

        if (ResourceNames.Count > 0)
        {
            parts.Add("ResourceNames:" + GoList(ResourceNames));
        }

        if (Verbs.Count > 0)
        {
            parts.Add("Verbs:" + GoList(Verbs));
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Go's <c>%q</c> of a string slice: <c>["a" "b"]</c>.</summary>
    public static string GoList(IEnumerable<string> items) => "[" + string.Join(" ", items.Select(Skiff.Api.Validation.GoFormat.Quote)) + "]";

    private static bool Has(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToArray() : [];

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
}
