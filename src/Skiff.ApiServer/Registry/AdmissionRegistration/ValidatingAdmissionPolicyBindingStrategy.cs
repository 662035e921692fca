using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.AdmissionRegistration;

/// <summary>
/// admissionregistration.k8s.io/v1 <c>validatingadmissionpolicybindings</c> (upstream
/// <c>pkg/registry/admissionregistration/validatingadmissionpolicybinding</c>): matchResources defaults as the
/// policy's, upstream's validation (<see cref="ValidatingAdmissionPolicyValidation.ValidateBinding"/>), generation
/// moving with <c>spec</c>, and the printer <c>NAME POLICYNAME PARAMREF AGE</c>.
/// </summary>
public sealed class ValidatingAdmissionPolicyBindingStrategy : ResourceStrategy
{
    private ValidatingAdmissionPolicyBindingStrategy()
    {
    }

    /// <summary>The instance.</summary>
    public static ValidatingAdmissionPolicyBindingStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) =>
        ValidatingAdmissionPolicyStrategy.DefaultMatchResources(JsonPath.Obj(obj, "spec", "matchResources"));

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => ValidatingAdmissionPolicyValidation.ValidateBinding(obj);

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
            Columns.S("ParamRef", "ParamRef indicates the param resource which sets the configration param"),
            Columns.Age,
        ],
        (o, now) => [JsonPath.Name(o), JsonPath.Str(o, "spec", "policyName") ?? "", ParamRef(JsonPath.Obj(o, "spec", "paramRef")), Cells.Age(o, now)]);

    private static string ParamRef(JsonObject? paramRef)
    {
        if (paramRef is null)
        {
            return "<unset>";
        }

        if (JsonPath.Str(paramRef, "name") is { Length: > 0 } name)
        {
            return JsonPath.Str(paramRef, "namespace") is { Length: > 0 } ns ? $"{ns}/{name}" : $"*/{name}";
        }

        return JsonPath.Obj(paramRef, "selector") is { } selector ? Cells.SelectorString(selector) : "<unset>";
    }
}
