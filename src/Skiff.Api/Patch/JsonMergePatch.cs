using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>
/// RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>) as upstream applies it (evanphx/json-patch
/// <c>MergePatch</c>): objects merge recursively, <c>null</c> deletes a key, everything else (arrays included)
/// replaces; nulls inside newly added objects are pruned. The inputs are not modified.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="document"/>; throws a 400 <see cref="PatchException"/> for a null patch.</summary>
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is null)
        {
            throw new PatchException("Invalid JSON Patch");
        }

        if (patch is not JsonObject po)
        {
            return patch is JsonArray pa ? PruneArray((JsonArray)pa.DeepClone()) : patch.DeepClone();
        }

        if (document is not JsonObject doc)
        {
            return Prune((JsonObject)po.DeepClone());
        }

        var result = (JsonObject)doc.DeepClone();
        MergeInto(result, po);
        return result;
    }

    /// <summary>Parses and applies; malformed JSON gives upstream's 400 texts.</summary>
    public static JsonNode? Apply(JsonNode? document, string patchJson)
    {
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(patchJson);
        }
        catch (JsonException)
        {
            throw new PatchException("Invalid JSON Patch");
        }

        return Apply(document, patch);
    }

    private static void MergeInto(JsonObject doc, JsonObject patch)
    {
        foreach (var (k, v) in patch)
        {
            if (v is null)
            {
                doc.Remove(k);
                continue;
            }

            if (doc[k] is JsonObject existing && v is JsonObject vo)
            {
                MergeInto(existing, vo);
                continue;
            }

            doc[k] = PruneAny(v.DeepClone());
        }
    }

    private static JsonNode? PruneAny(JsonNode? n) => n switch
    {
        JsonObject o => Prune(o),
        JsonArray a => PruneArray(a),
        _ => n,
    };

    private static JsonObject Prune(JsonObject o)
    {
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            o.Remove(key);
        }

        foreach (var (_, v) in o)
        {
            PruneAny(v);
        }

        return o;
    }

    private static JsonArray PruneArray(JsonArray a)
    {
        foreach (var v in a)
        {
            PruneAny(v);
        }

        return a;
    }
}
