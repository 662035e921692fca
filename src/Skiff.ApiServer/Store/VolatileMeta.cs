using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Store;

/// <summary>
/// The no-op test of an update: two objects are the same write when they differ only in <c>metadata.resourceVersion</c>
/// and the <c>time</c> of <c>metadata.managedFields</c> entries (upstream ignores those too, so a write that changes
/// nothing else keeps the stored object and its resourceVersion). Compared in place, property by property as
/// <see cref="JsonNode.DeepEquals"/> does (order-insensitive for objects), without copying either object.
/// </summary>
internal static class VolatileMeta
{
    private const string Metadata = "metadata";
    private const string ResourceVersion = "resourceVersion";
    private const string ManagedFields = "managedFields";
    private const string Time = "time";

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> differ at most in the volatile metadata.</summary>
    public static bool EqualIgnoring(JsonObject a, JsonObject b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (key, av) in a)
        {
            if (!b.TryGetPropertyValue(key, out var bv))
            {
                return false;
            }

            var same = key == Metadata && av is JsonObject am && bv is JsonObject bm
                ? EqualExcept(am, bm, ResourceVersion, ManagedFields)
                : JsonNode.DeepEquals(av, bv);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Objects equal but for <paramref name="ignored"/>; <paramref name="entries"/> is compared as managedFields.</summary>
    private static bool EqualExcept(JsonObject a, JsonObject b, string ignored, string? entries)
    {
        if (CountWithout(a, ignored) != CountWithout(b, ignored))
        {
            return false;
        }

        foreach (var (key, av) in a)
        {
            if (key == ignored)
            {
                continue;
            }

            if (!b.TryGetPropertyValue(key, out var bv))
            {
                return false;
            }

            var same = key == entries ? EqualManagedFields(av, bv) : JsonNode.DeepEquals(av, bv);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static bool EqualManagedFields(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonArray aa || b is not JsonArray ba)
        {
            return JsonNode.DeepEquals(a, b);
        }

        if (aa.Count != ba.Count)
        {
            return false;
        }

        for (var i = 0; i < aa.Count; i++)
        {
            var same = aa[i] is JsonObject ae && ba[i] is JsonObject be
                ? EqualExcept(ae, be, Time, null)
                : JsonNode.DeepEquals(aa[i], ba[i]);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static int CountWithout(JsonObject obj, string key) => obj.Count - (obj.ContainsKey(key) ? 1 : 0);
}
