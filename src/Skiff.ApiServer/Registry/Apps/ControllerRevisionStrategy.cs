using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Apps;

/// <summary>apps/v1 controllerrevisions: data is immutable; the printer shows the controller and revision.</summary>
public sealed class ControllerRevisionStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ControllerRevisionStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Long(obj, "revision") is < 0 and var r)
        {
            yield return FieldError.Invalid("revision", r.ToString(), "must be greater than or equal to 0");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(Immutable(newObj["data"], oldObj["data"], "data", "runtime.RawExtension{...}"));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Controller", "Controller of the object"), Columns.S("Revision", "Revision indicates the revision of the state represented by Data."), Columns.Age],
        (o, now) =>
        {
            var owner = JsonPath.Objects(o, "metadata", "ownerReferences").FirstOrDefault(r => JsonPath.Bool(r, "controller") == true);
            var controller = "<none>";
            if (owner is not null)
            {
                var apiVersion = JsonPath.Str(owner, "apiVersion") ?? "";
                var group = apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : "";
                var kind = JsonPath.Str(owner, "kind") ?? "";
                var gk = group.Length == 0 ? kind : $"{kind}.{group}";
                controller = gk.Length == 0 ? JsonPath.Str(owner, "name") ?? "" : $"{gk.ToLowerInvariant()}/{JsonPath.Str(owner, "name")}";
            }

            return [JsonPath.Name(o), controller, Cells.Int(o, "revision"), Cells.Age(o, now)];
        });
}
