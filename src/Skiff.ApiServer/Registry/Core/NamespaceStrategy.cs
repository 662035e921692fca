using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 namespaces (<c>pkg/registry/core/namespace/strategy.go</c>): names are RFC 1123 labels, the spec
/// finalizers default to <c>[kubernetes]</c> and the phase starts Active; spec changes only through
/// <c>/finalize</c>, status only through <c>/status</c>.
/// </summary>
public sealed class NamespaceStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["status.phase"] = o => JsonPath.Str(o, "status", "phase") ?? "",
    };

    /// <summary>The shared instance.</summary>
    public static NamespaceStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Status", "The status of the namespace"), Columns.Age],
        (o, now) => [JsonPath.Name(o), JsonPath.Str(o, "status", "phase") ?? "", Cells.Age(o, now)]);

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.CheckName(Rules.Dns1123Label, name, prefix);

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        var spec = JsonPath.Ensure(obj, "spec");
        if (JsonPath.Arr(spec, "finalizers") is not { } finalizers)
        {
            spec["finalizers"] = new JsonArray("kubernetes");
        }
        else if (!finalizers.Any(f => JsonPath.AsString(f) == "kubernetes"))
        {
            finalizers.Add("kubernetes");
        }
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        JsonPath.DefaultString(JsonPath.Ensure(obj, "status"), "phase", "Active");
        if (obj["metadata"] is JsonObject meta)
        {
            var labels = JsonPath.Ensure(meta, "labels");
            labels["kubernetes.io/metadata.name"] = JsonPath.Name(obj);
        }
    }

    /// <inheritdoc/>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        newObj["spec"] = oldObj["spec"]?.DeepClone();
        KeepStatus(newObj, oldObj);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var i = 0;
        foreach (var f in JsonPath.Arr(obj, "spec", "finalizers") ?? [])
        {
            var name = JsonPath.AsString(f) ?? "";
            if (!name.Contains('/') && name != "kubernetes")
            {
                yield return FieldError.Invalid($"spec.finalizers[{i}]", Rules.Q(name), "name is neither a standard finalizer name nor is it fully qualified");
            }

            i++;
        }
    }
}
