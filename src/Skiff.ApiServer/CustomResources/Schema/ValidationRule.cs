using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>One <c>x-kubernetes-validations</c> entry (upstream <c>apiextensions.ValidationRule</c>).</summary>
/// <param name="Rule">The CEL expression that must evaluate to true.</param>
/// <param name="Message">The static failure message; empty for the default <c>failed rule: RULE</c>.</param>
/// <param name="MessageExpression">A CEL expression giving the failure message; empty when unset.</param>
/// <param name="Reason">FieldValueInvalid, FieldValueForbidden, FieldValueRequired or FieldValueDuplicate; null when unset.</param>
/// <param name="FieldPath">The JSON path, relative to the node, the error is reported at; empty when unset.</param>
/// <param name="OptionalOldSelf">Whether a transition rule also runs when there is no old value (oldSelf is then an empty optional).</param>
internal sealed record ValidationRule(string Rule, string Message, string MessageExpression, string? Reason, string FieldPath, bool? OptionalOldSelf)
{
    /// <summary>Parses one rule object; missing members are empty.</summary>
    public static ValidationRule Parse(JsonObject o) => new(
        S(o, "rule") ?? "",
        S(o, "message") ?? "",
        S(o, "messageExpression") ?? "",
        S(o, "reason"),
        S(o, "fieldPath") ?? "",
        o["optionalOldSelf"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null);

    /// <summary>Go's <c>%#v</c> of the rule, as upstream prints it as the bad value of a CRD error.</summary>
    public string GoString() =>
        $"apiextensions.ValidationRule{{Rule:{Skiff.Api.Validation.GoFormat.Quote(Rule)}, Message:{Skiff.Api.Validation.GoFormat.Quote(Message)}, " +
        $"MessageExpression:{Skiff.Api.Validation.GoFormat.Quote(MessageExpression)}, Reason:(*apiextensions.FieldValueErrorReason)(nil), " +
        $"FieldPath:{Skiff.Api.Validation.GoFormat.Quote(FieldPath)}, OptionalOldSelf:(*bool)(nil)}}";

    private static string? S(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
