using System.Text.Json.Nodes;
using global::Cel;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources.Schema;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// Evaluates the compiled <c>x-kubernetes-validations</c> rules over a custom resource as upstream's
/// <c>schema/cel.Validator</c> does: every node with rules binds <c>self</c> (and <c>oldSelf</c>, the correlated old
/// value: same property or map key, same key of a <c>map</c> list, same value of a <c>set</c> list; atomic lists do
/// not correlate). A transition rule runs only when the old value exists (or with <c>optionalOldSelf</c>). A false
/// rule gives <c>PATH: Invalid value: "TYPE": MESSAGE</c> (or the error kind its <c>reason</c> names) at
/// <c>fieldPath</c> when set; an error while evaluating gives <c>… evaluating rule: RULE</c>.
/// </summary>
internal sealed class CelRuleValidator(IReadOnlyDictionary<SchemaNode, IReadOnlyList<CompiledRule>> rules)
{
    /// <summary>True when the schema has any rule.</summary>
    public bool HasRules => rules.Count > 0;

    /// <summary>Validates <paramref name="obj"/> (with <paramref name="old"/> on update) into <paramref name="errs"/>.</summary>
    public void Validate(SchemaNode root, JsonNode? obj, JsonNode? old, List<FieldError> errs) =>
        Walk(root, obj, old, hasOld: old is not null, "", errs);

    private void Walk(SchemaNode s, JsonNode? x, JsonNode? old, bool hasOld, string path, List<FieldError> errs)
    {
        if (x is null)
        {
            return;
        }

        if (rules.TryGetValue(s, out var compiled))
        {
            Evaluate(s, compiled, x, old, hasOld, path, errs);
        }

        switch (x)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    var prop = s.Properties is { } props && props.TryGetValue(k, out var p) ? p : s.AdditionalProperties;
                    if (prop is null)
                    {
                        continue;
                    }

                    var oldChild = old is JsonObject oo && oo.TryGetPropertyValue(k, out var ov) ? ov : null;
                    Walk(prop, v, oldChild, hasOld && oldChild is not null, GoValue.Child(path, k), errs);
                }

                break;
            case JsonArray a when s.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    var oldItem = Correlate(s, a[i], old as JsonArray);
                    Walk(items, a[i], oldItem, hasOld && oldItem is not null, $"{path}[{i}]", errs);
                }

                break;
        }
    }

    private static JsonNode? Correlate(SchemaNode list, JsonNode? item, JsonArray? old)
    {
        if (old is null)
        {
            return null;
        }

        if (list.ListType == "set")
        {
            return old.FirstOrDefault(o => JsonEquality.Equal(o, item));
        }

        if (list.ListType == "map" && item is JsonObject io)
        {
            var key = ListTypeValidator.KeyOf(io, list);
            return old.OfType<JsonObject>().FirstOrDefault(o => JsonEquality.Equal(ListTypeValidator.KeyOf(o, list), key));
        }

        return null;
    }

    private static void Evaluate(SchemaNode s, IReadOnlyList<CompiledRule> compiled, JsonNode x, JsonNode? old, bool hasOld, string path, List<FieldError> errs)
    {
        var self = CelValues.ToCel(x, s);
        object? oldSelf = hasOld ? CelValues.ToCel(old, s) : null;
        foreach (var rule in compiled)
        {
            if (rule.IsTransition && !hasOld && rule.Rule.OptionalOldSelf != true)
            {
                continue;
            }

            var vars = new Dictionary<string, object?> { ["self"] = self };
            if (rule.IsTransition)
            {
                vars["oldSelf"] = oldSelf;
            }

            var typeValue = GoFormat.Quote(s.Type);
            object? result;
            try
            {
                result = rule.Program(vars);
            }
            catch (Exception e) when (e is CelException or InvalidCastException or NullReferenceException or ArgumentException or InvalidOperationException or FormatException or OverflowException or NotSupportedException or System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                errs.Add(FieldError.Invalid(GoValue.Path(path), typeValue, $"{ErrorText(e)} evaluating rule: {RuleErrorString(rule.Rule)}"));
                continue;
            }

            if (result is bool ok)
            {
                if (!ok)
                {
                    var at = rule.Rule.FieldPath.Length > 0 ? FieldPathOf(path, rule.Rule.FieldPath) : GoValue.Path(path);
                    errs.Add(ErrorForReason(rule.Rule.Reason, at, typeValue, Message(rule, vars)));
                }

                continue;
            }

            var text = result?.GetType().Name == "CelNoSuchField" ? "no such key" : "rule did not evaluate to a bool";
            errs.Add(FieldError.Invalid(GoValue.Path(path), typeValue, $"{text} evaluating rule: {RuleErrorString(rule.Rule)}"));
        }
    }

    private static string ErrorText(Exception e) => e switch
    {
        CelDivideByZeroException => "division by zero",
        CelModulusByZeroException => "modulus by zero",
        CelOverflowException or OverflowException => "integer overflow",
        CelNoSuchFieldException => "no such key",
        CelNoSuchOverloadException => "no such overload",
        _ => e.Message.Split('\n')[0],
    };

    private static string RuleErrorString(ValidationRule r) => r.Message.Length > 0 ? r.Message.Trim() : r.Rule.Trim();

    private static string Message(CompiledRule rule, Dictionary<string, object?> vars)
    {
        if (rule.MessageProgram is { } messageProgram)
        {
            try
            {
                if (messageProgram(vars) is string m && !string.IsNullOrWhiteSpace(m) && !m.Contains('\n'))
                {
                    return m.Trim();
                }
            }
            catch (Exception e) when (e is CelException or InvalidCastException or NullReferenceException or ArgumentException or InvalidOperationException)
            {
                // Upstream falls back to the static message when messageExpression fails.
            }
        }

        return rule.Rule.Message.Length > 0 ? rule.Rule.Message.Trim() : "failed rule: " + RuleErrorString(rule.Rule);
    }

    private static FieldError ErrorForReason(string? reason, string path, string value, string detail) => reason switch
    {
        "FieldValueForbidden" => FieldError.Forbidden(path, detail),
        "FieldValueRequired" => FieldError.Required(path, detail),
        "FieldValueDuplicate" => FieldError.Duplicate(path, value),
        _ => FieldError.Invalid(path, value, detail),
    };

    /// <summary>A rule's <c>fieldPath</c> (<c>.spec.ports['http'][0]</c>) appended to the node's path as upstream prints it.</summary>
    public static string FieldPathOf(string basePath, string fieldPath)
    {
        var p = basePath;
        var i = 0;
        while (i < fieldPath.Length)
        {
            if (fieldPath[i] == '.')
            {
                var end = fieldPath.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? fieldPath.Length : end;
                p = GoValue.Child(p, fieldPath[(i + 1)..end]);
                i = end;
            }
            else if (fieldPath[i] == '[')
            {
                var end = fieldPath.IndexOf(']', i);
                end = end < 0 ? fieldPath.Length : end;
                p += "[" + fieldPath[(i + 1)..end].Trim('\'') + "]";
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return GoValue.Path(p);
    }
}
