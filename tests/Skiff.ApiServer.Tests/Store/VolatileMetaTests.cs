using System.Text.Json.Nodes;
using Skiff.ApiServer.Store;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

/// <summary>
/// <see cref="VolatileMeta.EqualIgnoring"/> agrees with the copy-and-compare it replaced: equal after dropping
/// resourceVersion and every managedFields entry's time from copies of both objects.
/// </summary>
public sealed class VolatileMetaTests
{
    private const string Base = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","resourceVersion":"5","labels":{"a":"b"},"managedFields":[{"manager":"m","operation":"Update","time":"2026-01-01T00:00:00Z","fieldsV1":{"f:spec":{}}}]},"spec":{"nodeName":"n"},"status":{"phase":"Pending"}}""";

    public static TheoryData<string, bool> Variants => new()
    {
        { Base, true },
        { Base.Replace("\"resourceVersion\":\"5\",", "\"resourceVersion\":\"9\","), true },
        { Base.Replace("\"resourceVersion\":\"5\",", ""), true },
        { Base.Replace("2026-01-01T00:00:00Z", "2026-02-02T00:00:00Z"), true },
        { Base.Replace(",\"time\":\"2026-01-01T00:00:00Z\"", ""), true },
        { """{"kind":"Pod","apiVersion":"v1","status":{"phase":"Pending"},"spec":{"nodeName":"n"},"metadata":{"labels":{"a":"b"},"name":"p","managedFields":[{"time":"x","fieldsV1":{"f:spec":{}},"operation":"Update","manager":"m"}]}}""", true },
        { Base.Replace("\"Pending\"", "\"Running\""), false },
        { Base.Replace("\"labels\":{\"a\":\"b\"},", ""), false },
        { Base.Replace("\"manager\":\"m\"", "\"manager\":\"other\""), false },
        { Base.Replace("\"f:spec\":{}", "\"f:status\":{}"), false },
        { Base.Replace(",\"status\":{\"phase\":\"Pending\"}", ""), false },
        { Base.Replace("\"managedFields\":[", "\"managedFields\":[{\"manager\":\"x\"},"), false },
        { Base.Replace(",\"managedFields\":[{\"manager\":\"m\",\"operation\":\"Update\",\"time\":\"2026-01-01T00:00:00Z\",\"fieldsV1\":{\"f:spec\":{}}}]", ""), false },
        { Base.Replace("\"name\":\"p\",", "\"name\":\"p\",\"resourceVersion2\":\"1\","), false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void EqualIgnoring_Variant_MatchesCopyAndCompare(string json, bool expected)
    {
        var a = JsonNode.Parse(Base)!.AsObject();
        var b = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(expected, VolatileMeta.EqualIgnoring(a, b));
        Assert.Equal(expected, VolatileMeta.EqualIgnoring(b, a));
        Assert.Equal(expected, JsonNode.DeepEquals(Stripped(a), Stripped(b)));
    }

    /// <summary>The reference: copies without resourceVersion and managedFields times.</summary>
    private static JsonObject Stripped(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        var meta = copy["metadata"]!.AsObject();
        meta.Remove("resourceVersion");
        foreach (var entry in (meta["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            entry.Remove("time");
        }

        return copy;
    }
}
