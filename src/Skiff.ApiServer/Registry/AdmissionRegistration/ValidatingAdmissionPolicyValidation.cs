using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources.Cel;

namespace Skiff.ApiServer.Registry.AdmissionRegistration;

/// <summary>
/// Upstream's <c>ValidateValidatingAdmissionPolicy</c> and <c>ValidateValidatingAdmissionPolicyBinding</c>
/// (<c>pkg/apis/admissionregistration/validation</c>): failurePolicy, paramKind, matchConstraints with at least one
/// resourceRule, matchConditions, variables (CEL identifiers), validations (expressions, messages, messageExpression,
/// reason) or auditAnnotations, all expressions compiling; a binding's policyName, paramRef (name xor selector,
/// parameterNotFoundAction) and validationActions (no Deny together with Warn).
/// </summary>
public static class ValidatingAdmissionPolicyValidation
{
    private static readonly string[] FailurePolicies = ["Fail", "Ignore"];
    private static readonly string[] MatchPolicies = ["Equivalent", "Exact"];
    private static readonly string[] Reasons = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"];
    private static readonly string[] Actions = ["Audit", "Deny", "Warn"];
    private static readonly string[] NotFoundActions = ["Allow", "Deny"];

    /// <summary>The errors of a ValidatingAdmissionPolicy.</summary>
    public static IEnumerable<FieldError> ValidatePolicy(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec") ?? [];
        if (JsonPath.Str(spec, "failurePolicy") is not { } fp)
        {
            yield return FieldError.Required("spec.failurePolicy");
        }
        else if (!FailurePolicies.Contains(fp))
        {
            yield return FieldError.NotSupported("spec.failurePolicy", Rules.Q(fp), FailurePolicies);
        }

        if (JsonPath.Obj(spec, "paramKind") is { } paramKind)
        {
            foreach (var e in ValidateParamKind(paramKind))
            {
                yield return e;
            }
        }

        if (JsonPath.Obj(spec, "matchConstraints") is not { } mc)
        {
            yield return FieldError.Required("spec.matchConstraints");
        }
        else
        {
            foreach (var e in ValidateMatchResources(mc, "spec.matchConstraints"))
            {
                yield return e;
            }

            if (JsonPath.Arr(mc, "resourceRules") is not { Count: > 0 })
            {
                yield return FieldError.Required("spec.matchConstraints.resourceRules");
            }
        }

        foreach (var e in WebhookConfigurationValidation.ValidateMatchConditions(JsonPath.Objects(spec, "matchConditions").ToList(), "spec.matchConditions"))
        {
            yield return e;
        }

        var i = 0;
        foreach (var variable in JsonPath.Objects(spec, "variables"))
        {
            var path = $"spec.variables[{i++}]";
            var name = JsonPath.Str(variable, "name") ?? "";
            if (name.Trim().Length == 0)
            {
                yield return FieldError.Required(path + ".name", "name is not specified");
            }
            else if (!IsCelIdentifier(name))
            {
                yield return FieldError.Invalid(path + ".name", Rules.Q(name), "name is not a valid CEL identifier");
            }

            foreach (var e in Expression(JsonPath.Str(variable, "expression"), path + ".expression", "expression is not specified"))
            {
                yield return e;
            }
        }

        var validations = JsonPath.Objects(spec, "validations").ToList();
        var annotations = JsonPath.Objects(spec, "auditAnnotations").ToList();
        if (validations.Count == 0 && annotations.Count == 0)
        {
            yield return FieldError.Required("spec.validations", "validations or auditAnnotations must contain at least one item");
            yield return FieldError.Required("spec.auditAnnotations", "validations or auditAnnotations must contain at least one item");
            yield break;
        }

        for (i = 0; i < validations.Count; i++)
        {
            foreach (var e in ValidateValidation(validations[i], $"spec.validations[{i}]"))
            {
                yield return e;
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (i = 0; i < annotations.Count; i++)
        {
            var path = $"spec.auditAnnotations[{i}]";
            var key = JsonPath.Str(annotations[i], "key") ?? "";
            if (key.Length == 0)
            {
                yield return FieldError.Required(path + ".key");
            }
            else
            {
                var qualified = JsonPath.Name(obj) + "/" + key;
                foreach (var e in Rules.Invalid(path + ".key", key, ValueValidation.IsQualifiedName(qualified)))
                {
                    yield return e;
                }

                if (!keys.Add(key))
                {
                    yield return FieldError.Duplicate(path + ".key", Rules.Q(key));
                }
            }

            foreach (var e in Expression(JsonPath.Str(annotations[i], "valueExpression"), path + ".valueExpression", "valueExpression is not specified"))
            {
                yield return e;
            }
        }
    }

    /// <summary>The errors of a ValidatingAdmissionPolicyBinding.</summary>
    public static IEnumerable<FieldError> ValidateBinding(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec") ?? [];
        if ((JsonPath.Str(spec, "policyName") ?? "").Length == 0)
        {
            yield return FieldError.Required("spec.policyName");
        }
        else
        {
            foreach (var e in Rules.Invalid("spec.policyName", JsonPath.Str(spec, "policyName")!, Rules.PathSegmentName(JsonPath.Str(spec, "policyName")!)))
            {
                yield return e;
            }
        }

        if (JsonPath.Obj(spec, "paramRef") is { } paramRef)
        {
            foreach (var e in ValidateParamRef(paramRef))
            {
                yield return e;
            }
        }

        if (JsonPath.Obj(spec, "matchResources") is { } mr)
        {
            foreach (var e in ValidateMatchResources(mr, "spec.matchResources"))
            {
                yield return e;
            }
        }

        var actions = JsonPath.Arr(spec, "validationActions")?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            if (!Actions.Contains(actions[i]))
            {
                yield return FieldError.NotSupported($"spec.validationActions[{i}]", Rules.Q(actions[i]), Actions);
            }

            if (!seen.Add(actions[i]))
            {
                yield return FieldError.Duplicate($"spec.validationActions[{i}]", Rules.Q(actions[i]));
            }
        }

        if (seen.Contains("Deny") && seen.Contains("Warn"))
        {
            yield return FieldError.Invalid("spec.validationActions", Rules.QList(actions),
                "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)");
        }

        if (seen.Count == 0)
        {
            yield return FieldError.Required("spec.validationActions", "at least one validation action is required");
        }
    }

    private static IEnumerable<FieldError> ValidateParamRef(JsonObject paramRef)
    {
        var name = JsonPath.Str(paramRef, "name") ?? "";
        var hasSelector = JsonPath.Obj(paramRef, "selector") is not null;
        if (name.Length > 0)
        {
            foreach (var e in Rules.Invalid("spec.paramRef.name", name, Rules.PathSegmentName(name)))
            {
                yield return e;
            }

            if (hasSelector)
            {
                yield return FieldError.Forbidden("spec.paramRef.name", "name and selector are mutually exclusive");
                yield return FieldError.Forbidden("spec.paramRef.selector", "name and selector are mutually exclusive");
            }
        }

        if (JsonPath.Str(paramRef, "namespace") is { Length: > 0 } ns)
        {
            foreach (var e in Rules.Invalid("spec.paramRef.namespace", ns, Rules.Dns1123Label(ns)))
            {
                yield return e;
            }
        }

        if (name.Length == 0 && !hasSelector)
        {
            yield return FieldError.Required("spec.paramRef", "one of name or selector must be specified");
        }

        if (hasSelector && WebhookConfigurationValidation.SelectorError(JsonPath.Obj(paramRef, "selector")!) is { } selectorError)
        {
            yield return FieldError.Invalid("spec.paramRef.selector", null, selectorError);
        }

        if (JsonPath.Str(paramRef, "parameterNotFoundAction") is not { } action)
        {
            yield return FieldError.Required("spec.paramRef.parameterNotFoundAction");
        }
        else if (!NotFoundActions.Contains(action))
        {
            yield return FieldError.NotSupported("spec.paramRef.parameterNotFoundAction", Rules.Q(action), NotFoundActions);
        }
    }

    private static IEnumerable<FieldError> ValidateParamKind(JsonObject paramKind)
    {
        var apiVersion = JsonPath.Str(paramKind, "apiVersion") ?? "";
        if (apiVersion.Length == 0)
        {
            yield return FieldError.Required("spec.paramKind.apiVersion");
        }
        else if (apiVersion.Count(c => c == '/') > 1)
        {
            yield return FieldError.Invalid("spec.paramKind.apiVersion", Rules.Q(apiVersion), $"unexpected GroupVersion string: {apiVersion}");
        }
        else
        {
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            if (group.Length > 0 && Rules.Dns1123Subdomain(group) is { Count: > 0 } ge)
            {
                yield return FieldError.Invalid("spec.paramKind.apiVersion", Rules.Q(group), string.Join(",", ge));
            }

            if (version.Length == 0)
            {
                yield return FieldError.Invalid("spec.paramKind.apiVersion", Rules.Q(apiVersion), "version must be specified");
            }
            else if (Rules.Dns1035Label(version) is { Count: > 0 } ve)
            {
                yield return FieldError.Invalid("spec.paramKind.apiVersion", Rules.Q(version), string.Join(",", ve));
            }
        }

        var kind = JsonPath.Str(paramKind, "kind") ?? "";
        if (kind.Length == 0)
        {
            yield return FieldError.Required("spec.paramKind.kind");
        }
        else if (Rules.Dns1035Label(kind.ToLowerInvariant()) is { Count: > 0 } ke)
        {
            yield return FieldError.Invalid("spec.paramKind.kind", Rules.Q(kind), "may have mixed case, but should otherwise match: " + string.Join(",", ke));
        }
    }

    private static IEnumerable<FieldError> ValidateMatchResources(JsonObject mr, string path)
    {
        if (JsonPath.Str(mr, "matchPolicy") is not { } mp)
        {
            yield return FieldError.Required(path + ".matchPolicy");
        }
        else if (!MatchPolicies.Contains(mp))
        {
            yield return FieldError.NotSupported(path + ".matchPolicy", Rules.Q(mp), MatchPolicies);
        }

        foreach (var selector in new[] { "namespaceSelector", "objectSelector" })
        {
            if (JsonPath.Obj(mr, selector) is not { } s)
            {
                yield return FieldError.Required(path + "." + selector);
            }
            else if (WebhookConfigurationValidation.SelectorError(s) is { } error)
            {
                yield return FieldError.Invalid(path + "." + selector, null, error);
            }
        }

        foreach (var list in new[] { "resourceRules", "excludeResourceRules" })
        {
            var i = 0;
            foreach (var rule in JsonPath.Objects(mr, list))
            {
                var rulePath = $"{path}.{list}[{i++}]";
                var names = new HashSet<string>(StringComparer.Ordinal);
                var n = 0;
                foreach (var name in JsonPath.Arr(rule, "resourceNames")?.Select(x => JsonPath.AsString(x) ?? "") ?? [])
                {
                    var namePath = $"{rulePath}.resourceNames[{n++}]";
                    foreach (var e in Rules.Invalid(namePath, name, Rules.PathSegmentName(name)))
                    {
                        yield return e;
                    }

                    if (!names.Add(name))
                    {
                        yield return FieldError.Duplicate(namePath, Rules.Q(name));
                    }
                }

                foreach (var e in WebhookConfigurationValidation.ValidateRule(rule, rulePath))
                {
                    yield return e;
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateValidation(JsonObject v, string path)
    {
        foreach (var e in Expression(JsonPath.Str(v, "expression"), path + ".expression", "expression is not specified"))
        {
            yield return e;
        }

        var messageExpression = JsonPath.Str(v, "messageExpression") ?? "";
        if (messageExpression.Length > 0 && messageExpression.Trim().Length == 0)
        {
            yield return FieldError.Invalid(path + ".messageExpression", Rules.Q(messageExpression), "must be non-empty if specified");
        }
        else if (messageExpression.Length > 0 && CelRuleCompiler.TryCompile(messageExpression, out var error) is null)
        {
            yield return FieldError.Invalid(path + ".messageExpression", Rules.Q(messageExpression), "compilation failed: " + error);
        }

        var message = JsonPath.Str(v, "message") ?? "";
        if (message.Length > 0 && message.Trim().Length == 0)
        {
            yield return FieldError.Invalid(path + ".message", Rules.Q(message), "message must be non-empty if specified");
        }
        else if (message.Trim().Contains('\n', StringComparison.Ordinal))
        {
            yield return FieldError.Invalid(path + ".message", Rules.Q(message), "message must not contain line breaks");
        }

        if (JsonPath.Str(v, "reason") is { } reason && !Reasons.Contains(reason))
        {
            yield return FieldError.NotSupported(path + ".reason", Rules.Q(reason), Reasons);
        }
    }

    private static IEnumerable<FieldError> Expression(string? expression, string path, string requiredDetail)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            yield return FieldError.Required(path, requiredDetail);
        }
        else if (CelRuleCompiler.TryCompile(expression, out var error) is null)
        {
            yield return FieldError.Invalid(path, Rules.Q(expression), "compilation failed: " + error);
        }
    }

    /// <summary>A CEL identifier: a letter or underscore, then letters, digits or underscores, not a reserved word.</summary>
    public static bool IsCelIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && name is not ("true" or "false" or "null" or "in" or "as" or "break" or "const" or "continue" or "else" or "for" or "function"
            or "if" or "import" or "let" or "loop" or "package" or "namespace" or "return" or "var" or "void" or "while");
}
