using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Core;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>
/// The rules shared by the controllers with a label selector and a pod template (deployments, replica sets,
/// stateful sets, daemon sets, jobs): selector required and non-empty, template labels matching it, the
/// template's pod spec valid, replicas non-negative, and the selector immutable, with upstream's texts and Go-style
/// bad values.
/// </summary>
public static class WorkloadRules
{
    /// <summary><c>spec.replicas</c> (or the given field) must be ≥ 0.</summary>
    public static IEnumerable<FieldError> Replicas(JsonObject obj, string field, string key = "replicas")
    {
        if (JsonPath.Long(obj, "spec", key) is < 0 and var r)
        {
            yield return FieldError.Invalid(field, r.ToString(), "must be greater than or equal to 0");
        }
    }

    /// <summary>
    /// Validates <c>spec.selector</c> and <c>spec.template</c> at <paramref name="specPath"/>; <paramref name="kind"/>
    /// names the type in the empty-selector message ("deployment").
    /// </summary>
    public static IEnumerable<FieldError> SelectorAndTemplate(JsonObject? spec, string specPath, string kind, string[]? restartPolicies = null)
    {
        var selector = JsonPath.Obj(spec, "selector");
        var template = JsonPath.Obj(spec, "template");
        if (selector is null)
        {
            yield return FieldError.Required(specPath + ".selector");
        }
        else if (IsEmpty(selector))
        {
            yield return FieldError.Invalid(specPath + ".selector", GoSelector(selector), $"empty selector is invalid for {kind}");
        }

        if (template is null)
        {
            yield return FieldError.Required(specPath + ".template");
            yield break;
        }

        var labels = JsonPath.Obj(template, "metadata", "labels");
        if (selector is not null && !IsEmpty(selector) && !Matches(selector, labels))
        {
            yield return FieldError.Invalid(specPath + ".template.metadata.labels", GoMap(labels), "`selector` does not match template `labels`");
        }

        foreach (var e in PodSpecRules.Validate(template["spec"], specPath + ".template.spec", isPod: false))
        {
            yield return e;
        }

        if (restartPolicies is not null && JsonPath.Str(template, "spec", "restartPolicy") is { } rp && !restartPolicies.Contains(rp))
        {
            yield return FieldError.NotSupported(specPath + ".template.spec.restartPolicy", Rules.Q(rp), restartPolicies);
        }
    }

    /// <summary><c>field is immutable</c> when the selector changed.</summary>
    public static IEnumerable<FieldError> ImmutableSelector(JsonObject newObj, JsonObject oldObj, string field = "spec.selector", params string[] path)
    {
        path = path.Length == 0 ? ["spec", "selector"] : path;
        var n = JsonPath.Get(newObj, path);
        var o = JsonPath.Get(oldObj, path);
        if (!JsonNode.DeepEquals(PodStrategy.Normalize(n), PodStrategy.Normalize(o)))
        {
            yield return FieldError.Invalid(field, n is JsonObject ns ? GoSelector(ns) : "null", "field is immutable");
        }
    }

    /// <summary>Applies the pod-template defaults and copies template labels to empty object labels (upstream's apps defaults do not, so only the template).</summary>
    public static void TemplateDefaults(JsonObject spec)
    {
        if (spec["template"] is JsonObject template)
        {
            PodSpecRules.ApplyDefaults(JsonPath.Ensure(template, "spec"), isPod: false);
        }
    }

    /// <summary>True when a label selector has neither matchLabels nor matchExpressions.</summary>
    public static bool IsEmpty(JsonObject selector) =>
        JsonPath.Obj(selector, "matchLabels") is null or { Count: 0 } && JsonPath.Arr(selector, "matchExpressions") is null or { Count: 0 };

    /// <summary>Whether <paramref name="labels"/> satisfy a label selector (matchLabels and matchExpressions).</summary>
    public static bool Matches(JsonObject selector, JsonObject? labels)
    {
        foreach (var (k, v) in JsonPath.StringMap(selector, "matchLabels"))
        {
            if (JsonPath.AsString(labels?[k]) != v)
            {
                return false;
            }
        }

        foreach (var e in JsonPath.Objects(selector, "matchExpressions"))
        {
            var key = JsonPath.Str(e, "key") ?? "";
            var has = labels?.ContainsKey(key) == true;
            var value = JsonPath.AsString(labels?[key]);
            var values = (JsonPath.Arr(e, "values") ?? []).Select(JsonPath.AsString).ToList();
            var ok = JsonPath.Str(e, "operator") switch
            {
                "In" => has && values.Contains(value),
                "NotIn" => !has || !values.Contains(value),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Go's <c>%#v</c> of a <c>map[string]string</c>.</summary>
    public static string GoMap(JsonObject? map)
    {
        if (map is null)
        {
            return "map[string]string(nil)";
        }

        return "map[string]string{" + string.Join(", ", JsonPath.StringMap(map).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Rules.Q(p.Key)}:{Rules.Q(p.Value)}")) + "}";
    }

    /// <summary>Go's <c>%#v</c> of a <c>v1.LabelSelector</c> (the common cases).</summary>
    public static string GoSelector(JsonObject selector)
    {
        var ml = JsonPath.Obj(selector, "matchLabels");
        var exprs = JsonPath.Objects(selector, "matchExpressions").ToList();
        var exprText = exprs.Count == 0
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", exprs.Select(e =>
                $"v1.LabelSelectorRequirement{{Key:{Rules.Q(JsonPath.Str(e, "key") ?? "")}, Operator:{Rules.Q(JsonPath.Str(e, "operator") ?? "")}, Values:{((JsonPath.Arr(e, "values") is { } vs) ? Rules.QList(vs.Select(v => JsonPath.AsString(v) ?? "")) : "[]string(nil)")}}}")) + "}";
        return $"v1.LabelSelector{{MatchLabels:{GoMap(ml)}, MatchExpressions:{exprText}}}";
    }
}
