using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.AdmissionRegistration;

/// <summary>
/// admissionregistration.k8s.io/v1 <c>validatingadmissionpolicies</c> (upstream
/// <c>pkg/registry/admissionregistration/validatingadmissionpolicy</c>): v1's defaults (failurePolicy Fail,
/// matchConstraints' matchPolicy Equivalent, empty selectors, rule scope <c>*</c>), upstream's validation
/// (<see cref="ValidatingAdmissionPolicyValidation"/>), a status subresource, generation moving with <c>spec</c>,
/// the type-checking status set with each spec change (<see cref="PolicyTypeChecker"/>),
/// and the printer <c>NAME VALIDATIONS PARAMKIND AGE</c>.
/// </summary>
public sealed class ValidatingAdmissionPolicyStrategy : ResourceStrategy
{
    private ValidatingAdmissionPolicyStrategy()
    {
    }

    /// <summary>The instance.</summary>
    public static ValidatingAdmissionPolicyStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        if (JsonPath.Obj(obj, "spec") is not { } spec)
        {
            return;
        }

        JsonPath.DefaultString(spec, "failurePolicy", "Fail");
        DefaultMatchResources(JsonPath.Obj(spec, "matchConstraints"));
    }

    /// <summary>v1's defaults of a MatchResources (policies' matchConstraints, bindings' matchResources).</summary>
    internal static void DefaultMatchResources(JsonObject? mr)
    {
        if (mr is null)
        {
            return;
        }

        JsonPath.DefaultString(mr, "matchPolicy", "Equivalent");
        JsonPath.Default(mr, "namespaceSelector", new JsonObject());
        JsonPath.Default(mr, "objectSelector", new JsonObject());
        foreach (var rule in JsonPath.Objects(mr, "resourceRules").Concat(JsonPath.Objects(mr, "excludeResourceRules")))
        {
            JsonPath.DefaultString(rule, "scope", "*");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => ValidatingAdmissionPolicyValidation.ValidatePolicy(obj);

    /// <summary>A new policy starts with its type-checking status (generation 1).</summary>
    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        SetTypeChecking(obj, 1);
    }

    /// <summary>A spec change is type-checked again, for the generation it makes.</summary>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        base.PrepareForUpdate(newObj, oldObj);
        if (!JsonNode.DeepEquals(newObj["spec"], oldObj["spec"]))
        {
            SetTypeChecking(newObj, (JsonPath.Long(oldObj, "metadata", "generation") ?? 1) + 1);
        }
    }

    /// <summary>
    /// What upstream's type-checking controller writes to the status once it has seen a generation:
    /// <c>observedGeneration</c> and <c>typeChecking.expressionWarnings</c> (<see cref="PolicyTypeChecker"/>). Here it
    /// is written with the spec change itself rather than by a controller shortly after.
    /// </summary>
    private static void SetTypeChecking(JsonObject obj, long generation)
    {
        var status = JsonPath.Obj(obj, "status") ?? [];
        obj["status"] = status;
        status["observedGeneration"] = generation;
        var typeChecking = new JsonObject();
        var warnings = PolicyTypeChecker.Check(obj);
        if (warnings.Count > 0)
        {
            typeChecking["expressionWarnings"] = new JsonArray(warnings
                .Select(w => (JsonNode?)new JsonObject { ["fieldRef"] = w.FieldRef, ["warning"] = w.Warning }).ToArray());
        }

        status["typeChecking"] = typeChecking;
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Validations", "Validations indicates the number of validation rules defined in this configuration"),
            Columns.S("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"),
            Columns.Age,
        ],
        (o, now) =>
        [
            JsonPath.Name(o),
            (long)(JsonPath.Arr(o, "spec", "validations")?.Count ?? 0),
            JsonPath.Obj(o, "spec", "paramKind") is { } pk ? $"{JsonPath.Str(pk, "apiVersion")}/{JsonPath.Str(pk, "kind")}" : "<unset>",
            Cells.Age(o, now),
        ]);
}
