using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The Table printing of a custom resource (upstream <c>apiextensions-apiserver/pkg/registry/customresource/tableconvertor</c>):
/// Name, then the version's <c>additionalPrinterColumns</c>, or the single default Age column when it has none
/// (upstream's <c>serveDefaultColumnsIfEmpty</c>). Each cell is the first value the column's JSONPath finds:
/// string columns print it as the JSONPath printer does, integer/number/boolean columns take it when it has that
/// JSON type, date columns show its age (<c>&lt;invalid&gt;</c> when it is not a timestamp); nothing found is null.
/// </summary>
public static class CustomResourceTable
{
    private const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    private const string CreationTimestampDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    /// <summary>The table of a version whose <c>additionalPrinterColumns</c> are <paramref name="columns"/> (null or empty: Age only).</summary>
    public static TableDefinition For(JsonArray? columns)
    {
        var defs = new List<TableColumn> { new("Name", "string", "name", NameDescription) };
        var paths = new List<(string Type, ColumnJsonPath? Path)>();
        var specs = columns?.OfType<JsonObject>().ToList() ?? [];
        if (specs.Count == 0)
        {
            specs = [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp", ["description"] = CreationTimestampDescription }];
        }

        foreach (var c in specs)
        {
            var jsonPath = JsonPath.Str(c, "jsonPath") ?? "";
            var type = JsonPath.Str(c, "type") ?? "string";
            var description = JsonPath.Str(c, "description") is { Length: > 0 } d ? d : $"Custom resource definition column (in JSONPath format): {jsonPath}";
            defs.Add(new TableColumn(JsonPath.Str(c, "name") ?? "", type, JsonPath.Str(c, "format") ?? "", description, (int)(JsonPath.Long(c, "priority") ?? 0)));
            paths.Add((type, ColumnJsonPath.Parse(jsonPath)));
        }

        return new TableDefinition(defs, (obj, now) =>
        {
            var cells = new List<object?>(paths.Count + 1) { JsonPath.Name(obj) };
            foreach (var (type, path) in paths)
            {
                var found = path?.Find(obj);
                cells.Add(found is { Count: > 0 } ? Cell(type, found[0], now) : null);
            }

            return cells;
        });
    }

    /// <summary>Upstream's <c>cellForJSONValue</c> (string columns print any value).</summary>
    private static object? Cell(string type, JsonNode? value, DateTimeOffset now)
    {
        if (value is null)
        {
            return type == "string" ? "<nil>" : null;
        }

        var v = value as JsonValue;
        switch (type)
        {
            case "string":
                return ColumnJsonPath.Print(value);
            case "integer":
                if (v?.TryGetValue<long>(out var l) == true)
                {
                    return l;
                }

                return v?.TryGetValue<double>(out var d) == true ? (long)d : null;
            case "number":
                return v?.TryGetValue<double>(out var n) == true ? n : null;
            case "boolean":
                return v?.TryGetValue<bool>(out var b) == true ? b : null;
            case "date":
                if (v?.TryGetValue<string>(out var s) != true)
                {
                    return null;
                }

                return HumanDuration.Parse(s) is { } t ? HumanDuration.Format(now - t) : "<invalid>";
            default:
                return null;
        }
    }
}
