using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Networking;

/// <summary>networking.k8s.io/v1 ingressclasses: controller required and immutable; generation tracks the spec; CONTROLLER/PARAMETERS printer.</summary>
public sealed class IngressClassStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static IngressClassStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Str(obj, "spec", "controller") is null or "")
        {
            yield return FieldError.Required("spec.controller");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(Immutable(JsonPath.Get(newObj, "spec", "controller"), JsonPath.Get(oldObj, "spec", "controller"), "spec.controller"));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Controller", "Controller that is responsible for handling this class"),
            Columns.S("Parameters", "A reference to a resource with additional parameters"),
            Columns.Age,
        ],
        (o, now) =>
        {
            var parameters = "<none>";
            if (JsonPath.Obj(o, "spec", "parameters") is { } p)
            {
                parameters = JsonPath.Str(p, "kind") ?? "";
                if (JsonPath.Str(p, "apiGroup") is { } g)
                {
                    parameters += "." + g;
                }

                parameters += "/" + JsonPath.Str(p, "name");
            }

            return [JsonPath.Name(o), JsonPath.Str(o, "spec", "controller") ?? "", parameters, Cells.Age(o, now)];
        });
}
