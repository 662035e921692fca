using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// One ValidatingAdmissionPolicy read once per stored revision: failurePolicy, paramKind, matchConstraints, and its
/// matchConditions, variables, validations and auditAnnotations compiled (CEL, through the custom-resource engine).
/// </summary>
public sealed class CompiledPolicy
{
    /// <summary>Reads and compiles <paramref name="policy"/>.</summary>
    public CompiledPolicy(JsonObject policy)
    {
        Name = JsonPath.Name(policy);
        var spec = JsonPath.Obj(policy, "spec") ?? [];
        FailurePolicy = JsonPath.Str(spec, "failurePolicy") ?? "Fail";
        if (JsonPath.Obj(spec, "paramKind") is { } pk)
        {
            ParamKind = (JsonPath.Str(pk, "apiVersion") ?? "", JsonPath.Str(pk, "kind") ?? "");
        }

        MatchConstraints = PolicyMatchResources.FromJson(JsonPath.Obj(spec, "matchConstraints"));
        MatchConditions = JsonPath.Objects(spec, "matchConditions")
            .Select(c => (JsonPath.Str(c, "name") ?? "", new PolicyExpression(JsonPath.Str(c, "expression") ?? ""))).ToList();
        Variables = JsonPath.Objects(spec, "variables")
            .Select(v => (JsonPath.Str(v, "name") ?? "", new PolicyExpression(JsonPath.Str(v, "expression") ?? ""))).ToList();
        Validations = JsonPath.Objects(spec, "validations").Select(v => new Validation(
            new PolicyExpression(JsonPath.Str(v, "expression") ?? ""),
            JsonPath.Str(v, "message") ?? "",
            JsonPath.Str(v, "messageExpression") is { Length: > 0 } me ? new PolicyExpression(me) : null,
            JsonPath.Str(v, "reason") ?? "")).ToList();
        AuditAnnotations = JsonPath.Objects(spec, "auditAnnotations")
            .Select(x => (JsonPath.Str(x, "key") ?? "", new PolicyExpression(JsonPath.Str(x, "valueExpression") ?? ""))).ToList();
    }

    /// <summary>The policy's name.</summary>
    public string Name { get; }

    /// <summary><c>Fail</c> or <c>Ignore</c>.</summary>
    public string FailurePolicy { get; }

    /// <summary>Whether evaluation errors admit the request.</summary>
    public bool IgnoreFailures => FailurePolicy == "Ignore";

    /// <summary>The paramKind (apiVersion, kind), or null.</summary>
    public (string ApiVersion, string Kind)? ParamKind { get; }

    /// <summary>What the policy applies to.</summary>
    public PolicyMatchResources MatchConstraints { get; }

    /// <summary>The match conditions, by name.</summary>
    public IReadOnlyList<(string Name, PolicyExpression Expression)> MatchConditions { get; }

    /// <summary>The variables, in order (each may use the ones before it).</summary>
    public IReadOnlyList<(string Name, PolicyExpression Expression)> Variables { get; }

    /// <summary>The validations, in order.</summary>
    public IReadOnlyList<Validation> Validations { get; }

    /// <summary>The audit annotations (key, valueExpression).</summary>
    public IReadOnlyList<(string Key, PolicyExpression Value)> AuditAnnotations { get; }

    /// <summary>One validation.</summary>
    /// <param name="Expression">The expression that must be true.</param>
    /// <param name="Message">The static message ("" when unset).</param>
    /// <param name="MessageExpression">The message expression, or null.</param>
    /// <param name="Reason">The reason ("" = Invalid).</param>
    public sealed record Validation(PolicyExpression Expression, string Message, PolicyExpression? MessageExpression, string Reason);
}
