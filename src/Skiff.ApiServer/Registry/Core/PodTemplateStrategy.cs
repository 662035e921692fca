using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>core/v1 podtemplates: the pod-template defaults and validation; upstream's printer.</summary>
public sealed class PodTemplateStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static PodTemplateStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj) => PodSpecRules.ApplyDefaults(JsonPath.Ensure(obj, "template", "spec"), isPod: false);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => PodSpecRules.Validate(JsonPath.Get(obj, "template", "spec"), "template.spec", isPod: false);

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Containers", "Names of each container in the template."),
            Columns.S("Images", "Images referenced by each container in the template."),
            Columns.S("Pod Labels", "The labels for the pod template."),
        ],
        (o, now) =>
        {
            var (names, images) = Cells.Containers(JsonPath.Get(o, "template", "spec", "containers"));
            return [JsonPath.Name(o), names, images, Cells.Labels(JsonPath.Get(o, "template", "metadata", "labels"))];
        });
}
