using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>upstream's componentstatus printer: STATUS (Healthy/Unhealthy/Unknown from the Healthy condition), MESSAGE, ERROR.</summary>
public static class ComponentStatusTable
{
    /// <summary>The table.</summary>
    public static TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Status", "Status of the component conditions"), Columns.S("Message", "Message of the component conditions"), Columns.S("Error", "Error of the component conditions")],
        (o, _) =>
        {
            var cond = JsonPath.Objects(o, "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == "Healthy");
            var status = cond is null ? "Unknown" : JsonPath.Str(cond, "status") == "True" ? "Healthy" : "Unhealthy";
            return [JsonPath.Name(o), status, JsonPath.Str(cond, "message") ?? "", JsonPath.Str(cond, "error") ?? ""];
        });
}
