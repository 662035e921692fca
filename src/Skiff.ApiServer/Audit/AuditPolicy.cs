using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// An audit policy (audit.k8s.io/v1 <c>Policy</c>, <c>--audit-policy-file</c>): rules evaluated in order, the first
/// match deciding the level and the stages left out (the rule's <c>omitStages</c> plus the policy's); no match is
/// level None. <see cref="Load"/> reads YAML or JSON and refuses what upstream's <c>ValidatePolicy</c> refuses.
/// </summary>
public sealed class AuditPolicy
{
    private static readonly string[] Levels = ["None", "Metadata", "Request", "RequestResponse"];
    private static readonly string[] Stages = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

    /// <summary>A policy of <paramref name="rules"/>.</summary>
    public AuditPolicy(IReadOnlyList<AuditPolicyRule> rules, IReadOnlyList<string>? omitStages = null, bool omitManagedFields = false)
    {
        Rules = rules;
        OmitStages = omitStages ?? [];
        OmitManagedFields = omitManagedFields;
    }

    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<AuditPolicyRule> Rules { get; }

    /// <summary>Stages never logged.</summary>
    public IReadOnlyList<string> OmitStages { get; }

    /// <summary>Whether managedFields are dropped from logged objects.</summary>
    public bool OmitManagedFields { get; }

    /// <summary>The level, omitted stages and managedFields setting for a request of <paramref name="user"/>.</summary>
    public (AuditLevel Level, IReadOnlyCollection<string> OmitStages, bool OmitManagedFields) Evaluate(UserInfo? user, RequestInfo info)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(user, info))
            {
                return (rule.Level, rule.OmitStages.Concat(OmitStages).ToHashSet(StringComparer.Ordinal), rule.OmitManagedFields ?? OmitManagedFields);
            }
        }

        return (AuditLevel.None, OmitStages, OmitManagedFields);
    }

    /// <summary>Reads a policy file (YAML or JSON); an invalid one is an <see cref="InvalidOperationException"/> with the reasons.</summary>
    public static AuditPolicy Load(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a policy document.</summary>
    public static AuditPolicy Parse(ReadOnlyMemory<byte> document, string source = "policy")
    {
        JsonObject doc;
        try
        {
            doc = YamlContentDecoder.Instance.Decode(document) as JsonObject
                ?? throw new InvalidOperationException($"failed to decode audit policy {source}: not an object");
        }
        catch (StatusException e)
        {
            throw new InvalidOperationException($"failed decoding file \"{source}\": {e.Message}", e);
        }

        var apiVersion = JsonPath.Str(doc, "apiVersion") ?? "";
        var kind = JsonPath.Str(doc, "kind") ?? "";
        if (apiVersion != "audit.k8s.io/v1" || kind != "Policy")
        {
            throw new InvalidOperationException($"failed decoding file \"{source}\": no kind \"{kind}\" is registered for version \"{apiVersion}\"");
        }

        var errors = new List<string>();
        var omit = Strings(doc, "omitStages");
        CheckStages(omit, "omitStages", errors);
        var rules = new List<AuditPolicyRule>();
        var i = 0;
        foreach (var r in JsonPath.Objects(doc, "rules"))
        {
            var path = $"rules[{i++}]";
            var level = JsonPath.Str(r, "level") ?? "";
            if (!Levels.Contains(level))
            {
                errors.Add(level.Length == 0 ? $"{path}.level: Required value" : $"{path}.level: Unsupported value: \"{level}\"");
            }

            var nonResource = Strings(r, "nonResourceURLs");
            var resources = JsonPath.Objects(r, "resources").Select(g => new AuditPolicyRule.GroupResources(
                JsonPath.Str(g, "group") ?? "", Strings(g, "resources"), Strings(g, "resourceNames"))).ToList();
            var namespaces = Strings(r, "namespaces");
            if (nonResource.Count > 0 && (resources.Count > 0 || namespaces.Count > 0))
            {
                errors.Add($"{path}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs");
            }

            var stages = Strings(r, "omitStages");
            CheckStages(stages, path + ".omitStages", errors);
            rules.Add(new AuditPolicyRule
            {
                Level = Enum.TryParse<AuditLevel>(level, out var l) ? l : AuditLevel.None,
                Users = Strings(r, "users"),
                UserGroups = Strings(r, "userGroups"),
                Verbs = Strings(r, "verbs"),
                Resources = resources,
                Namespaces = namespaces,
                NonResourceUrls = nonResource,
                OmitStages = stages,
                OmitManagedFields = JsonPath.Bool(r, "omitManagedFields"),
            });
        }

        if (rules.Count == 0)
        {
            errors.Add($"loaded illegal policy with 0 rules from file {source}");
        }

        return errors.Count > 0
            ? throw new InvalidOperationException($"invalid audit policy {source}: " + string.Join("; ", errors))
            : new AuditPolicy(rules, omit, JsonPath.Bool(doc, "omitManagedFields") ?? false);
    }

    private static void CheckStages(IReadOnlyList<string> stages, string path, List<string> errors)
    {
        foreach (var s in stages.Where(s => !Stages.Contains(s)))
        {
            errors.Add($"{path}: Invalid value: \"{s}\": allowed stages are {string.Join(", ", Stages)}");
        }
    }

    private static List<string> Strings(JsonObject obj, string key) =>
        JsonPath.Arr(obj, key)?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? [];
}
