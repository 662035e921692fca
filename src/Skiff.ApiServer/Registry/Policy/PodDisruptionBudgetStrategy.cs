using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Policy;

/// <summary>
/// policy/v1 poddisruptionbudgets: status starts with zero counts, minAvailable and maxUnavailable are exclusive;
/// generation tracks the spec; upstream's printer.
/// </summary>
public sealed class PodDisruptionBudgetStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static PodDisruptionBudgetStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject
    {
        ["disruptionsAllowed"] = 0,
        ["currentHealthy"] = 0,
        ["desiredHealthy"] = 0,
        ["expectedPods"] = 0,
    };

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
        {
            yield return FieldError.Invalid("spec", "policy.PodDisruptionBudgetSpec{...}", "minAvailable and maxUnavailable cannot be both set");
        }

        foreach (var key in (string[])["minAvailable", "maxUnavailable"])
        {
            if (JsonPath.Long(spec, key) is < 0 and var v)
            {
                yield return FieldError.Invalid("spec." + key, v.ToString(), "must be greater than or equal to 0");
            }
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Min Available", "The minimum number of pods that must be available."),
            Columns.S("Max Unavailable", "The maximum number of pods that may be unavailable."),
            Columns.I("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
            Columns.Age,
        ],
        (o, now) =>
        [
            JsonPath.Name(o), IntOrString(JsonPath.Get(o, "spec", "minAvailable")), IntOrString(JsonPath.Get(o, "spec", "maxUnavailable")),
            Cells.Int(o, "status", "disruptionsAllowed"), Cells.Age(o, now),
        ]);

    private static string IntOrString(JsonNode? v) => v is null ? "N/A" : JsonPath.AsString(v) ?? JsonPath.AsLong(v)?.ToString() ?? "N/A";
}
