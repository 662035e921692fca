using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.FlowControl;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.FlowControl;

/// <summary>
/// flowcontrol.apiserver.k8s.io/v1 flowschemas (upstream <c>pkg/apis/flowcontrol/validation</c>): matchingPrecedence
/// defaults to 1000 and lies in 1..10000 (1 only for <c>exempt</c>), the priority level reference is required,
/// subjects and rules are checked, the mandatory schemas' specs are fixed; generation tracks the spec; status
/// (the Dangling condition) through the status subresource. Printer: PRIORITYLEVEL, MATCHINGPRECEDENCE,
/// DISTINGUISHERMETHOD, AGE, MISSINGPL.
/// </summary>
public sealed class FlowSchemaStrategy : ResourceStrategy
{
    /// <summary>The largest matchingPrecedence.</summary>
    public const int MaxMatchingPrecedence = 10000;

    private static readonly string[] DistinguisherMethods = ["ByNamespace", "ByUser"];
    private static readonly string[] SubjectKinds = ["Group", "ServiceAccount", "User"];

    /// <summary>The verbs a rule may name (besides <c>*</c>).</summary>
    internal static readonly string[] SupportedVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"];

    /// <summary>The shared instance.</summary>
    public static FlowSchemaStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        if (JsonPath.Obj(obj, "spec") is { } spec && spec["matchingPrecedence"] is null)
        {
            spec["matchingPrecedence"] = 1000;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        var name = JsonPath.Name(obj);
        var spec = JsonPath.Obj(obj, "spec") ?? [];
        var precedence = JsonPath.Long(spec, "matchingPrecedence") ?? 0;
        if (precedence <= 0)
        {
            errors.Add(FieldError.Invalid("spec.matchingPrecedence", precedence.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be a positive value"));
        }

        if (precedence > MaxMatchingPrecedence)
        {
            errors.Add(FieldError.Invalid("spec.matchingPrecedence", precedence.ToString(System.Globalization.CultureInfo.InvariantCulture), $"must not be greater than {MaxMatchingPrecedence}"));
        }

        if (precedence == 1 && name != "exempt")
        {
            errors.Add(FieldError.Invalid("spec.matchingPrecedence", "1", "only the schema named 'exempt' may have matchingPrecedence 1"));
        }

        if (JsonPath.Obj(spec, "distinguisherMethod") is { } dm && JsonPath.Str(dm, "type") is var type && !DistinguisherMethods.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.distinguisherMethod.type", Rules.Q(type ?? ""), DistinguisherMethods));
        }

        if (JsonPath.Str(spec, "priorityLevelConfiguration", "name") is { Length: > 0 } pl)
        {
            errors.AddRange(Rules.Invalid("spec.priorityLevelConfiguration.name", pl, Rules.Dns1123Subdomain(pl)));
        }
        else
        {
            errors.Add(FieldError.Required("spec.priorityLevelConfiguration.name", "must reference a priority level"));
        }

        var i = 0;
        foreach (var rule in JsonPath.Arr(spec, "rules") ?? [])
        {
            errors.AddRange(ValidateRule(rule as JsonObject ?? [], $"spec.rules[{i++}]"));
        }

        if (FlowControlBootstrap.IsMandatoryFlowSchema(name))
        {
            var fixedSpec = FlowControlBootstrap.MandatoryFlowSchemas().First(f => JsonPath.Name(f) == name)["spec"];
            if (!FlowControlBootstrap.SpecEquals(spec, fixedSpec))
            {
                errors.Add(FieldError.Invalid("spec", spec.ToJsonString(), $"spec of '{name}' must equal the fixed value"));
            }
        }

        errors.AddRange(ValidateConditions(obj));
        return errors;
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj) => ValidateConditions(newObj);

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("PriorityLevel", "`name` is the name of the priority level configuration being referenced Required."),
            Columns.S("MatchingPrecedence", "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default."),
            Columns.S("DistinguisherMethod", "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string."),
            Columns.Age,
            Columns.S("MissingPL", "references a broken or non-existent PriorityLevelConfiguration"),
        ],
        (o, now) =>
        {
            var missing = "?";
            foreach (var c in JsonPath.Arr(o, "status", "conditions") ?? [])
            {
                if (JsonPath.Str(c, "type") == "Dangling")
                {
                    missing = JsonPath.Str(c, "status") ?? "";
                }
            }

            return
            [
                JsonPath.Name(o),
                JsonPath.Str(o, "spec", "priorityLevelConfiguration", "name") ?? "",
                Cells.Int(o, "spec", "matchingPrecedence"),
                JsonPath.Str(o, "spec", "distinguisherMethod", "type") ?? "<none>",
                Cells.Age(o, now),
                missing,
            ];
        });

    private static IEnumerable<FieldError> ValidateRule(JsonObject rule, string path)
    {
        var subjects = JsonPath.Arr(rule, "subjects") ?? [];
        if (subjects.Count == 0)
        {
            yield return FieldError.Required($"{path}.subjects", "subjects must contain at least one value");
        }

        for (var i = 0; i < subjects.Count; i++)
        {
            foreach (var e in ValidateSubject(subjects[i] as JsonObject ?? [], $"{path}.subjects[{i}]"))
            {
                yield return e;
            }
        }

        var resourceRules = JsonPath.Arr(rule, "resourceRules") ?? [];
        var nonResourceRules = JsonPath.Arr(rule, "nonResourceRules") ?? [];
        if (resourceRules.Count == 0 && nonResourceRules.Count == 0)
        {
            yield return FieldError.Required(path, "at least one of resourceRules and nonResourceRules has to be non-empty");
        }

        for (var i = 0; i < resourceRules.Count; i++)
        {
            foreach (var e in ValidateResourceRule(resourceRules[i] as JsonObject ?? [], $"{path}.resourceRules[{i}]"))
            {
                yield return e;
            }
        }

        for (var i = 0; i < nonResourceRules.Count; i++)
        {
            foreach (var e in ValidateNonResourceRule(nonResourceRules[i] as JsonObject ?? [], $"{path}.nonResourceRules[{i}]"))
            {
                yield return e;
            }
        }
    }

    private static IEnumerable<FieldError> ValidateSubject(JsonObject subject, string path)
    {
        var kind = JsonPath.Str(subject, "kind") ?? "";
        if (!SubjectKinds.Contains(kind))
        {
            yield return FieldError.NotSupported($"{path}.kind", Rules.Q(kind), SubjectKinds);
            yield break;
        }

        var own = kind switch { "User" => "user", "Group" => "group", _ => "serviceAccount" };
        if (subject[own] is not JsonObject value)
        {
            yield return FieldError.Required($"{path}.{own}", $"{own} is required when subject kind is '{kind}'");
        }
        else if (JsonPath.Str(value, "name") is null or "")
        {
            yield return FieldError.Required($"{path}.{own}.name");
        }
        else if (kind == "ServiceAccount")
        {
            var name = JsonPath.Str(value, "name")!;
            if (name != "*")
            {
                foreach (var e in Rules.Invalid($"{path}.serviceAccount.name", name, Rules.Dns1123Subdomain(name)))
                {
                    yield return e;
                }
            }

            if (JsonPath.Str(value, "namespace") is { Length: > 0 } ns)
            {
                foreach (var e in Rules.Invalid($"{path}.serviceAccount.namespace", ns, Rules.Dns1123Label(ns)))
                {
                    yield return e;
                }
            }
            else
            {
                yield return FieldError.Required($"{path}.serviceAccount.namespace", "must specify namespace for service account");
            }
        }

        foreach (var (other, otherKind) in new[] { ("serviceAccount", "ServiceAccount"), ("user", "User"), ("group", "Group") })
        {
            if (other != own && subject[other] is not null)
            {
                yield return FieldError.Forbidden($"{path}.{other}", $"{other} is forbidden when subject kind is not '{otherKind}'");
            }
        }
    }

    private static IEnumerable<FieldError> ValidateResourceRule(JsonObject rule, string path)
    {
        foreach (var e in ValidateVerbs(rule, path))
        {
            yield return e;
        }

        var groups = Strings(rule, "apiGroups");
        if (groups.Count == 0)
        {
            yield return FieldError.Required($"{path}.apiGroups", "resource rules must supply at least one api group");
        }
        else if (groups.Count > 1 && groups.Contains("*"))
        {
            yield return FieldError.Invalid($"{path}.apiGroups", Rules.QList(groups), "if '*' is present, must not specify other api groups");
        }

        var resources = Strings(rule, "resources");
        if (resources.Count == 0)
        {
            yield return FieldError.Required($"{path}.resources", "resource rules must supply at least one resource");
        }
        else if (resources.Count > 1 && resources.Contains("*"))
        {
            yield return FieldError.Invalid($"{path}.resources", Rules.QList(resources), "if '*' is present, must not specify other resources");
        }

        var namespaces = Strings(rule, "namespaces");
        if (namespaces.Count == 0 && JsonPath.Bool(rule, "clusterScope") != true)
        {
            yield return FieldError.Required($"{path}.namespaces", "resource rules that are not cluster scoped must supply at least one namespace");
        }
        else if (namespaces.Contains("*"))
        {
            if (namespaces.Count > 1)
            {
                yield return FieldError.Invalid($"{path}.namespaces", Rules.QList(namespaces), "if '*' is present, must not specify other namespaces");
            }
        }
        else
        {
            for (var i = 0; i < namespaces.Count; i++)
            {
                foreach (var msg in Rules.Dns1123Label(namespaces[i]))
                {
                    yield return FieldError.Invalid($"{path}.namespaces[{i}]", Rules.Q(namespaces[i]), "each member of this list must be '*' or a DNS-1123 label; " + msg);
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateNonResourceRule(JsonObject rule, string path)
    {
        foreach (var e in ValidateVerbs(rule, path))
        {
            yield return e;
        }

        var urls = Strings(rule, "nonResourceURLs");
        if (urls.Count == 0)
        {
            yield return FieldError.Required($"{path}.nonResourceURLs", "nonResourceURLs must contain at least one value");
        }
        else if (urls.Contains("*"))
        {
            if (urls.Count > 1)
            {
                yield return FieldError.Invalid($"{path}.nonResourceURLs", Rules.QList(urls), "if '*' is present, must not specify other non-resource URLs");
            }
        }
        else
        {
            for (var i = 0; i < urls.Count; i++)
            {
                if (UrlProblem(urls[i]) is { } problem)
                {
                    yield return FieldError.Invalid($"{path}.nonResourceURLs[{i}]", Rules.Q(urls[i]), problem);
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateVerbs(JsonObject rule, string path)
    {
        var verbs = Strings(rule, "verbs");
        if (verbs.Count == 0)
        {
            yield return FieldError.Required($"{path}.verbs", "verbs must contain at least one value");
        }
        else if (verbs.Contains("*"))
        {
            if (verbs.Count > 1)
            {
                yield return FieldError.Invalid($"{path}.verbs", Rules.QList(verbs), "if '*' is present, must not specify other verbs");
            }
        }
        else if (verbs.Any(v => !SupportedVerbs.Contains(v)))
        {
            yield return FieldError.NotSupported($"{path}.verbs", Rules.QList(verbs), SupportedVerbs);
        }
    }

    private static string? UrlProblem(string path)
    {
        if (path.Length == 0)
        {
            return "must not be empty";
        }

        if (path == "/")
        {
            return null;
        }

        if (!path.StartsWith('/'))
        {
            return "must start with slash";
        }

        if (path.Contains(' ', StringComparison.Ordinal))
        {
            return "must not contain white-space";
        }

        if (path.Contains("//", StringComparison.Ordinal))
        {
            return "must not contain double slash";
        }

        var wildcards = path.Count(c => c == '*');
        return wildcards > 1 || (wildcards == 1 && !path.EndsWith("/*", StringComparison.Ordinal)) ? "wildcard can only do suffix matching" : null;
    }

    private static IEnumerable<FieldError> ValidateConditions(JsonObject obj)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var c in JsonPath.Arr(obj, "status", "conditions") ?? [])
        {
            var type = JsonPath.Str(c, "type") ?? "";
            if (type.Length == 0)
            {
                yield return FieldError.Required($"status.conditions[{i}].type", "must not be empty");
            }
            else if (!seen.Add(type))
            {
                yield return FieldError.Duplicate($"status.conditions[{i}].type", Rules.Q(type));
            }

            i++;
        }
    }

    private static List<string> Strings(JsonObject obj, string field) =>
        (JsonPath.Arr(obj, field) ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
}
