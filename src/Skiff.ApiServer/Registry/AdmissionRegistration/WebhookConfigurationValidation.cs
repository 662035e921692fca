using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.AdmissionRegistration;

/// <summary>
/// Upstream's <c>ValidateValidatingWebhookConfiguration</c> / <c>ValidateMutatingWebhookConfiguration</c> (and their
/// update forms, which keep accepting what the old object already had): fully qualified unique webhook names, rules
/// with operations, sideEffects None/NoneOnDryRun, admissionReviewVersions including v1 or v1beta1, timeouts of 1–30 s,
/// selectors, exactly one of url or service (upstream's <c>ValidateWebhookURL</c>/<c>ValidateWebhookService</c>) and
/// matchConditions that compile.
/// </summary>
public static class WebhookConfigurationValidation
{
    private static readonly string[] Operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    private static readonly string[] Scopes = ["*", "Cluster", "Namespaced"];
    private static readonly string[] FailurePolicies = ["Fail", "Ignore"];
    private static readonly string[] MatchPolicies = ["Equivalent", "Exact"];
    private static readonly string[] NoSideEffects = ["None", "NoneOnDryRun"];
    private static readonly string[] AllSideEffects = ["None", "NoneOnDryRun", "Some", "Unknown"];
    private static readonly string[] ReinvocationPolicies = ["IfNeeded", "Never"];
    private static readonly string[] ReviewVersions = ["v1", "v1beta1"];

    /// <summary>The errors of <paramref name="obj"/> (<paramref name="old"/> on update).</summary>
    public static IEnumerable<FieldError> Validate(JsonObject obj, JsonObject? old, bool mutating)
    {
        var oldHooks = old is null ? null : JsonPath.Objects(old, "webhooks").ToList();
        var requireNoSideEffects = oldHooks is null || oldHooks.All(h => NoSideEffects.Contains(JsonPath.Str(h, "sideEffects")));
        var requireKnownVersion = oldHooks is null || oldHooks.All(h => JsonPath.Arr(h, "admissionReviewVersions") is not { Count: > 0 } versions
            || versions.Any(v => ReviewVersions.Contains(JsonPath.AsString(v))));
        var requireUnique = oldHooks is null || oldHooks.Select(h => JsonPath.Str(h, "name")).Distinct().Count() == oldHooks.Count;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var hook in JsonPath.Objects(obj, "webhooks"))
        {
            var path = $"webhooks[{i++}]";
            foreach (var e in ValidateHook(hook, path, mutating, requireNoSideEffects))
            {
                yield return e;
            }

            foreach (var e in ValidateReviewVersions(JsonPath.Arr(hook, "admissionReviewVersions"), requireKnownVersion, path + ".admissionReviewVersions"))
            {
                yield return e;
            }

            if (requireUnique && JsonPath.Str(hook, "name") is { Length: > 0 } name && !names.Add(name))
            {
                yield return FieldError.Duplicate(path + ".name", Rules.Q(name));
            }
        }
    }

    private static IEnumerable<FieldError> ValidateHook(JsonObject hook, string path, bool mutating, bool requireNoSideEffects)
    {
        foreach (var e in FullyQualifiedName(path + ".name", JsonPath.Str(hook, "name") ?? ""))
        {
            yield return e;
        }

        var r = 0;
        foreach (var rule in JsonPath.Objects(hook, "rules"))
        {
            foreach (var e in ValidateRule(rule, $"{path}.rules[{r++}]"))
            {
                yield return e;
            }
        }

        if (JsonPath.Str(hook, "failurePolicy") is { } fp && !FailurePolicies.Contains(fp))
        {
            yield return FieldError.NotSupported(path + ".failurePolicy", Rules.Q(fp), FailurePolicies);
        }

        if (JsonPath.Str(hook, "matchPolicy") is { } mp && !MatchPolicies.Contains(mp))
        {
            yield return FieldError.NotSupported(path + ".matchPolicy", Rules.Q(mp), MatchPolicies);
        }

        var allowed = requireNoSideEffects ? NoSideEffects : AllSideEffects;
        if (JsonPath.Str(hook, "sideEffects") is not { } se)
        {
            yield return FieldError.Required(path + ".sideEffects", "must specify one of " + string.Join(", ", allowed));
        }
        else if (!allowed.Contains(se))
        {
            yield return FieldError.NotSupported(path + ".sideEffects", Rules.Q(se), allowed);
        }

        if (JsonPath.Long(hook, "timeoutSeconds") is { } t && (t > 30 || t < 1))
        {
            yield return FieldError.Invalid(path + ".timeoutSeconds", t.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "the timeout value must be between 1 and 30 seconds");
        }

        foreach (var selector in new[] { "namespaceSelector", "objectSelector" })
        {
            if (JsonPath.Obj(hook, selector) is { } s && SelectorError(s) is { } error)
            {
                yield return FieldError.Invalid(path + "." + selector, null, error);
            }
        }

        if (mutating && JsonPath.Str(hook, "reinvocationPolicy") is { } rp && !ReinvocationPolicies.Contains(rp))
        {
            yield return FieldError.NotSupported(path + ".reinvocationPolicy", Rules.Q(rp), ReinvocationPolicies);
        }

        foreach (var e in ValidateClientConfig(JsonPath.Obj(hook, "clientConfig"), path + ".clientConfig"))
        {
            yield return e;
        }

        foreach (var e in ValidateMatchConditions(JsonPath.Objects(hook, "matchConditions").ToList(), path + ".matchConditions"))
        {
            yield return e;
        }
    }

    /// <summary>Upstream's <c>IsFullyQualifiedName</c>: a DNS subdomain of at least three segments.</summary>
    public static IEnumerable<FieldError> FullyQualifiedName(string field, string name)
    {
        if (name.Length == 0)
        {
            return [FieldError.Required(field)];
        }

        if (ValueValidation.IsDns1123Subdomain(name) is { Count: > 0 } errs)
        {
            return [FieldError.Invalid(field, Rules.Q(name), string.Join(",", errs))];
        }

        return name.Split('.').Length < 3
            ? [FieldError.Invalid(field, Rules.Q(name), "should be a domain with at least three segments separated by dots")]
            : [];
    }

    internal static IEnumerable<FieldError> ValidateRule(JsonObject rule, string path)
    {
        var ops = Strings(rule, "operations");
        if (ops.Count == 0)
        {
            yield return FieldError.Required(path + ".operations");
        }

        if (ops.Count > 1 && ops.Contains("*"))
        {
            yield return FieldError.Invalid(path + ".operations", Rules.QList(ops), "if '*' is present, must not specify other operations");
        }

        for (var i = 0; i < ops.Count; i++)
        {
            if (!Operations.Contains(ops[i]))
            {
                yield return FieldError.NotSupported($"{path}.operations[{i}]", Rules.Q(ops[i]), Operations);
            }
        }

        var groups = Strings(rule, "apiGroups");
        if (groups.Count == 0)
        {
            yield return FieldError.Required(path + ".apiGroups");
        }

        if (groups.Count > 1 && groups.Contains("*"))
        {
            yield return FieldError.Invalid(path + ".apiGroups", Rules.QList(groups), "if '*' is present, must not specify other API groups");
        }

        var versions = Strings(rule, "apiVersions");
        if (versions.Count == 0)
        {
            yield return FieldError.Required(path + ".apiVersions");
        }

        if (versions.Count > 1 && versions.Contains("*"))
        {
            yield return FieldError.Invalid(path + ".apiVersions", Rules.QList(versions), "if '*' is present, must not specify other API versions");
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Length == 0)
            {
                yield return FieldError.Required($"{path}.apiVersions[{i}]");
            }
        }

        foreach (var e in ValidateResources(Strings(rule, "resources"), path + ".resources"))
        {
            yield return e;
        }

        if (JsonPath.Str(rule, "scope") is { } scope && !Scopes.Contains(scope))
        {
            yield return FieldError.NotSupported(path + ".scope", Rules.Q(scope), Scopes);
        }
    }

    private static IEnumerable<FieldError> ValidateResources(List<string> resources, string path)
    {
        if (resources.Count == 0)
        {
            yield return FieldError.Required(path);
        }

        var withWildcardSub = new HashSet<string>(StringComparer.Ordinal);
        var subWithWildcardRes = new HashSet<string>(StringComparer.Ordinal);
        bool doubleWildcard = false, singleWildcard = false, plain = false;
        for (var i = 0; i < resources.Count; i++)
        {
            var rs = resources[i];
            if (rs.Length == 0)
            {
                yield return FieldError.Required($"{path}[{i}]");
                continue;
            }

            doubleWildcard |= rs == "*/*";
            singleWildcard |= rs == "*";
            var slash = rs.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                plain = rs != "*";
                continue;
            }

            var (res, sub) = (rs[..slash], rs[(slash + 1)..]);
            if (withWildcardSub.Contains(res))
            {
                yield return FieldError.Invalid($"{path}[{i}]", Rules.Q(rs), $"if '{res}/*' is present, must not specify {rs}");
            }

            if (subWithWildcardRes.Contains(sub))
            {
                yield return FieldError.Invalid($"{path}[{i}]", Rules.Q(rs), $"if '*/{sub}' is present, must not specify {rs}");
            }

            if (sub == "*")
            {
                withWildcardSub.Add(res);
            }

            if (res == "*")
            {
                subWithWildcardRes.Add(sub);
            }
        }

        if (resources.Count > 1 && doubleWildcard)
        {
            yield return FieldError.Invalid(path, Rules.QList(resources), "if '*/*' is present, must not specify other resources");
        }

        if (singleWildcard && plain)
        {
            yield return FieldError.Invalid(path, Rules.QList(resources), "if '*' is present, must not specify other resources without subresources");
        }
    }

    private static IEnumerable<FieldError> ValidateReviewVersions(JsonArray? versions, bool requireKnown, string path)
    {
        if (versions is not { Count: > 0 })
        {
            yield return FieldError.Required(path, "must specify one of " + string.Join(", ", ReviewVersions));
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var known = false;
        for (var i = 0; i < versions.Count; i++)
        {
            var v = JsonPath.AsString(versions[i]) ?? "";
            if (!seen.Add(v))
            {
                yield return FieldError.Invalid($"{path}[{i}]", Rules.Q(v), "duplicate version");
                continue;
            }

            foreach (var e in Rules.Invalid($"{path}[{i}]", v, ValueValidation.IsDns1035Label(v)))
            {
                yield return e;
            }

            known |= ReviewVersions.Contains(v);
        }

        if (requireKnown && !known)
        {
            yield return FieldError.Invalid(path, Rules.QList(seen), "must include at least one of " + string.Join(", ", ReviewVersions));
        }
    }

    /// <summary>A webhook client config: exactly one of <c>url</c> (https, host, no user, fragment or query) or <c>service</c>.</summary>
    public static IEnumerable<FieldError> ValidateClientConfig(JsonObject? cc, string path)
    {
        var url = JsonPath.Str(cc, "url");
        var service = JsonPath.Obj(cc, "service");
        if ((url is null) == (service is null))
        {
            yield return FieldError.Required(path, "exactly one of url or service is required");
            yield break;
        }

        if (url is not null)
        {
            foreach (var e in ValidateUrl(path + ".url", url))
            {
                yield return e;
            }

            yield break;
        }

        foreach (var e in ValidateService(path + ".service", service!))
        {
            yield return e;
        }
    }

    private static IEnumerable<FieldError> ValidateUrl(string field, string url)
    {
        const string Form = "; desired format: https://host[/path]";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u))
        {
            yield return FieldError.Required(field, "url must be a valid URL: parse " + Rules.Q(url) + ": invalid URI" + Form);
            yield break;
        }

        if (u.Scheme != "https")
        {
            yield return FieldError.Invalid(field, Rules.Q(u.Scheme), "'https' is the only allowed URL scheme" + Form);
        }

        if (u.Host.Length == 0)
        {
            yield return FieldError.Invalid(field, Rules.Q(""), "host must be specified" + Form);
        }

        if (u.UserInfo.Length > 0)
        {
            yield return FieldError.Invalid(field, Rules.Q(u.UserInfo), "user information is not permitted in the URL");
        }

        if (u.Fragment.Length > 1)
        {
            yield return FieldError.Invalid(field, Rules.Q(u.Fragment[1..]), "fragments are not permitted in the URL");
        }

        if (u.Query.Length > 1)
        {
            yield return FieldError.Invalid(field, Rules.Q(u.Query[1..]), "query parameters are not permitted in the URL");
        }
    }

    private static IEnumerable<FieldError> ValidateService(string path, JsonObject service)
    {
        if (JsonPath.Str(service, "name") is null or "")
        {
            yield return FieldError.Required(path + ".name", "service name is required");
        }

        if (JsonPath.Str(service, "namespace") is null or "")
        {
            yield return FieldError.Required(path + ".namespace", "service namespace is required");
        }

        var port = JsonPath.Long(service, "port") ?? 443;
        if (ValueValidation.IsValidPortNum(port) is { Count: > 0 } portErrors)
        {
            yield return FieldError.Invalid(path + ".port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "port is not valid: " + string.Join(", ", portErrors));
        }

        if (JsonPath.Str(service, "path") is not { Length: > 0 } urlPath || urlPath == "/")
        {
            yield break;
        }

        if (urlPath == "//")
        {
            yield return FieldError.Invalid(path + ".path", Rules.Q(urlPath), "segment[0] may not be empty");
            yield break;
        }

        if (!urlPath.StartsWith('/'))
        {
            yield return FieldError.Invalid(path + ".path", Rules.Q(urlPath), "must start with a '/'");
        }

        var check = urlPath[1..];
        if (check.EndsWith('/'))
        {
            check = check[..^1];
        }

        var steps = check.Split('/');
        for (var i = 0; i < steps.Length; i++)
        {
            if (steps[i].Length == 0)
            {
                yield return FieldError.Invalid(path + ".path", Rules.Q(urlPath), $"segment[{i}] may not be empty");
                continue;
            }

            foreach (var failure in ValueValidation.IsDns1123Subdomain(steps[i]))
            {
                yield return FieldError.Invalid(path + ".path", Rules.Q(urlPath), $"segment[{i}]: {failure}");
            }
        }
    }

    internal static IEnumerable<FieldError> ValidateMatchConditions(List<JsonObject> conditions, string path)
    {
        if (conditions.Count > 64)
        {
            yield return FieldError.Invalid(path, null, "must have no more than 64 items");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < conditions.Count; i++)
        {
            var name = JsonPath.Str(conditions[i], "name") ?? "";
            if (name.Length == 0)
            {
                yield return FieldError.Required($"{path}[{i}].name");
            }
            else
            {
                foreach (var e in Rules.Invalid($"{path}[{i}].name", name, ValueValidation.IsQualifiedName(name)))
                {
                    yield return e;
                }

                if (!names.Add(name))
                {
                    yield return FieldError.Duplicate($"{path}[{i}].name", Rules.Q(name));
                }
            }

            var expression = JsonPath.Str(conditions[i], "expression") ?? "";
            if (expression.Trim().Length == 0)
            {
                yield return FieldError.Required($"{path}[{i}].expression");
            }
            else if (CustomResources.Cel.CelRuleCompiler.TryCompile(expression, out var error) is null)
            {
                yield return FieldError.Invalid($"{path}[{i}].expression", Rules.Q(expression), "compilation failed: " + error);
            }
        }
    }

    internal static string? SelectorError(JsonObject selector)
    {
        try
        {
            LabelSelector.FromJson(selector);
            return null;
        }
        catch (SelectorParseException e)
        {
            return e.Message;
        }
    }

    private static List<string> Strings(JsonObject obj, string key) =>
        JsonPath.Arr(obj, key)?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? [];
}
