using System.Text.Json.Nodes;
using Skiff.Client.Dynamic;

namespace Skiff.Client.Runtime;

/// <summary>Writes one metadata field into a <see cref="DynamicObject"/>'s JSON (its <c>Metadata</c> is a decoded copy).</summary>
internal static class MetadataJson
{
    public static void Set(DynamicObject obj, string field, JsonNode? value)
    {
        if (obj.Object["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj.Object["metadata"] = meta;
        }

        if (value is null)
        {
            meta.Remove(field);
        }
        else
        {
            meta[field] = value;
        }
    }
}
