using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>The configmaps the run writes (<c>data.v</c> and a <c>robust</c> label) and how to read them back.</summary>
public static class ConfigMapJson
{
    /// <summary>The label the selector watchers filter on.</summary>
    public const string Label = "robust";

    /// <summary>A ConfigMap body for <paramref name="name"/> holding <paramref name="value"/>, with an optional resourceVersion precondition.</summary>
    public static string Body(string ns, string name, ObjectValue value, long? resourceVersion)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (value.Label is { } label)
        {
            metadata["labels"] = new JsonObject { [Label] = label };
        }

        if (resourceVersion is { } rv)
        {
            metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = metadata,
            ["data"] = new JsonObject { ["v"] = value.Data },
        }.ToJsonString();
    }

    /// <summary><c>metadata.resourceVersion</c> of an object or a list, or null.</summary>
    public static long? Rv(JsonElement obj) =>
        obj.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String
            && long.TryParse(rv.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary><c>metadata.name</c>.</summary>
    public static string Name(JsonElement obj) =>
        obj.TryGetProperty("metadata", out var m) && m.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";

    /// <summary>The object's <c>data.v</c> and <c>robust</c> label.</summary>
    public static ObjectValue Value(JsonElement obj)
    {
        var data = obj.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("v", out var v) ? v.GetString() ?? "" : "";
        string? label = null;
        if (obj.TryGetProperty("metadata", out var m) && m.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            && labels.TryGetProperty(Label, out var l))
        {
            label = l.GetString();
        }

        return new ObjectValue(data, label);
    }
}
