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
    public static bool EqualIgnoring(JsonObject a, JsonObject b) => EqualExcept(a, b, Level.Object);

    /// <summary>Where a compared object stands: the paths below it that are ignored or compared specially follow from it.</summary>
    private enum Level
    {
        /// <summary>The whole object: <c>metadata</c> is compared at <see cref="Metadata"/>.</summary>
        Object,

        /// <summary><c>metadata</c>: <c>resourceVersion</c> is ignored, <c>managedFields</c> entries compared at <see cref="Entry"/>.</summary>
        Metadata,

        /// <summary>A <c>managedFields</c> entry: <c>time</c> is ignored.</summary>
        Entry,
    }

    /// <summary>
    /// Objects equal but for the property <paramref name="level"/> ignores, recursing into the one property it
    /// compares specially; every other property (and any node that is not of the expected kind) by
    /// <see cref="JsonNode.DeepEquals"/>.
    /// </summary>
    private static bool EqualExcept(JsonObject a, JsonObject b, Level level)
    {
        var ignored = level switch
        {
            Level.Metadata => ResourceVersion,
            Level.Entry => Time,
            _ => null,
        };
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

            var same = level switch
            {
                Level.Object when key == Metadata && av is JsonObject am && bv is JsonObject bm => EqualExcept(am, bm, Level.Metadata),
                Level.Metadata when key == ManagedFields && av is JsonArray aa && bv is JsonArray ba => EqualEntries(aa, ba),
                _ => JsonNode.DeepEquals(av, bv),
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static bool EqualEntries(JsonArray a, JsonArray b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            var same = a[i] is JsonObject ae && b[i] is JsonObject be
                ? EqualExcept(ae, be, Level.Entry)
                : JsonNode.DeepEquals(a[i], b[i]);
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static int CountWithout(JsonObject obj, string? key) => obj.Count - (key is not null && obj.ContainsKey(key) ? 1 : 0);
}
