using System.Text.Json.Nodes;

namespace Skiff.Client.Runtime;

/// <summary>Builds an RFC 7386 JSON merge patch that turns one document into another (controller-runtime's <c>client.MergeFrom</c>).</summary>
public static class MergePatch
{
    /// <summary>
    /// The merge patch from <paramref name="original"/> to <paramref name="modified"/>: changed and added members with
    /// their new values, removed members as <c>null</c>, objects recursively, arrays and scalars replaced whole. Empty
    /// when the two are equal.
    /// </summary>
    public static JsonObject Create(JsonObject original, JsonObject modified)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(modified);
        var patch = new JsonObject();
        foreach (var (name, before) in original)
        {
            if (!modified.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        foreach (var (name, after) in modified)
        {
            var before = original[name];
            if (!original.ContainsKey(name))
            {
                patch[name] = after?.DeepClone();
            }
            else if (before is JsonObject bo && after is JsonObject ao)
            {
                var nested = Create(bo, ao);
                if (nested.Count > 0)
                {
                    patch[name] = nested;
                }
            }
            else if (!JsonNode.DeepEquals(before, after))
            {
                patch[name] = after?.DeepClone();
            }
        }

        return patch;
    }
}
