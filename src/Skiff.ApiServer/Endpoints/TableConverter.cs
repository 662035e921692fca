using Skiff.Api.Errors;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

/// <summary>Builds <c>meta.k8s.io Table</c> and <c>PartialObjectMetadata</c> responses (apiserver <c>handlers/response.go</c>).</summary>
internal static class TableConverter
{
    public static string ParseIncludeObject(string? value) => value switch
    {
        null or "" or "Metadata" => "Metadata",
        "Object" or "None" => value,
        _ => throw StatusErrors.BadRequest($"unrecognized includeObject value: \"{value}\""),
    };

    public static JsonObject ToTable(ResourceDescriptor d, IEnumerable<JsonObject> objects, string includeObject, string metaVersion, DateTimeOffset now, JsonObject? listMeta, bool noHeaders = false)
    {
        var table = d.Strategy.Table;
        var columns = new JsonArray();
        if (!noHeaders)
        {
            foreach (var c in table.Columns)
            {
                columns.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["type"] = c.Type,
                    ["format"] = c.Format,
                    ["description"] = c.Description,
                    ["priority"] = c.Priority,
                });
            }
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            rows.Add(Row(d, obj, includeObject, metaVersion, now));
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = $"meta.k8s.io/{metaVersion}",
            ["metadata"] = listMeta ?? new JsonObject(),
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    /// <summary>One row of <paramref name="obj"/>: its cells printed at <paramref name="now"/> and the object per <paramref name="includeObject"/>.</summary>
    public static JsonObject Row(ResourceDescriptor d, JsonObject obj, string includeObject, string metaVersion, DateTimeOffset now)
    {
        var cells = new JsonArray();
        foreach (var cell in d.Strategy.Table.Cells(obj, now))
        {
            cells.Add(cell switch
            {
                null => null,
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                double db => JsonValue.Create(db),
                bool b => JsonValue.Create(b),
                JsonNode n => n.DeepClone(),
                _ => JsonValue.Create(cell.ToString()),
            });
        }

        return new JsonObject
        {
            ["cells"] = cells,
            ["object"] = includeObject switch
            {
                "None" => null,
                "Object" => obj.DeepClone(),
                _ => PartialObjectMetadata(obj, metaVersion),
            },
        };
    }

    public static JsonObject PartialObjectMetadata(JsonObject obj, string metaVersion = "v1") => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = $"meta.k8s.io/{metaVersion}",
        ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
    };

    public static JsonObject PartialObjectMetadataList(IEnumerable<JsonObject> objects, string metaVersion, JsonObject listMeta) => new()
    {
        ["kind"] = "PartialObjectMetadataList",
        ["apiVersion"] = $"meta.k8s.io/{metaVersion}",
        ["metadata"] = listMeta,
        ["items"] = new JsonArray(objects.Select(o => (JsonNode)PartialObjectMetadata(o, metaVersion)).ToArray()),
    };

    public static JsonObject ListMeta(ListPage page)
    {
        var m = new JsonObject { ["resourceVersion"] = page.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (page.Continue.Length > 0)
        {
            m["continue"] = page.Continue;
        }

        if (page.RemainingItemCount is { } r)
        {
            m["remainingItemCount"] = r;
        }

        return m;
    }
}
