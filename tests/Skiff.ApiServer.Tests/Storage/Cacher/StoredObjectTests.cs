using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.ApiServer.Store;
using Skiff.Storage;
using Xunit;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>The one-scan view of a stored object: the resourceVersion splice and the selector fields.</summary>
public sealed class StoredObjectTests
{
    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"prod","uid":"u1","labels":{"app":"web","tier":"fr\"ont","zone":"é"},
        "annotations":{"a/b":"<x>&"},"managedFields":[{"manager":"m","fieldsV1":{"f:metadata":{"k:{\"name\":\"c\"}":{}}}}]},
        "spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]},"status":{"phase":"Running"}}
        """;

    public static TheoryData<string> Documents() => new()
    {
        Pod,
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"a":"b"}}""",
        """{"metadata":{"name":"x"},"kind":"ConfigMap","apiVersion":"v1"}""",
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"7","labels":null}}""",
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","resourceVersion":"123456789","uid":"u"},"data":{}}""",
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Splice_EqualsDecodeStampAndSerialize(string json)
    {
        var kv = Kv(GenericStore.Encode(JsonNode.Parse(json)!.AsObject()), 4242);
        var scanned = StoredObject.Of(kv)!;

        Assert.Equal(Text(Responses.Serialize(GenericStore.Decode(kv))), Text(scanned.ToBytes(kv, kv.ModRevision, dropTypeMeta: false)));
        var item = GenericStore.Decode(kv);
        item.Remove("kind");
        item.Remove("apiVersion");
        Assert.Equal(Text(Responses.Serialize(item)), Text(scanned.ToBytes(kv, kv.ModRevision, dropTypeMeta: true)));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Splice_StoredBytesWithResourceVersion_ReplacedInPlace(string json)
    {
        // Bytes stored as they are (a store that keeps resourceVersion in the value): the stored one is replaced.
        var kv = Kv(Encoding.UTF8.GetBytes(json.ReplaceLineEndings("")), 99);
        var spliced = JsonNode.Parse(StoredObject.Of(kv)!.ToBytes(kv, 99, dropTypeMeta: false))!;
        Assert.Equal("99", spliced["metadata"]!["resourceVersion"]!.GetValue<string>());
        var expected = JsonNode.Parse(json)!;
        expected["metadata"]!["resourceVersion"] = "99";
        Assert.True(JsonNode.DeepEquals(expected, spliced));
    }

    [Fact]
    public void Scan_ReadsNamespaceNameAndLabels_ShareLabelSetsAcrossVersions()
    {
        var first = StoredObject.Of(Kv(Encoding.UTF8.GetBytes(Pod.ReplaceLineEndings("")), 5))!;
        var second = StoredObject.Of(Kv(Encoding.UTF8.GetBytes(Pod.ReplaceLineEndings("").Replace("\"n1\"", "\"n2\"", StringComparison.Ordinal)), 6))!;

        Assert.Equal(("prod", "web-1"), (first.Namespace, first.Name));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fr\"ont", ["zone"] = "é" }, first.Labels);
        Assert.Same(first.Labels, second.Labels);
        Assert.Same(first.Name, second.Name);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"kind\":\"X\"}")]
    [InlineData("{\"metadata\":[]}")]
    [InlineData("not json")]
    [InlineData("{\"metadata\":{\"labels\":{\"a\":1}}}")]
    public void Scan_NotAnObjectWithMetadata_IsNull(string json) => Assert.Null(StoredObject.Of(Kv(Encoding.UTF8.GetBytes(json), 1)));

    [Fact]
    public void Field_ComputedOnceForAllSelectableFields()
    {
        var kv = Kv(Encoding.UTF8.GetBytes(Pod.ReplaceLineEndings("")), 5);
        var scanned = StoredObject.Of(kv)!;
        var calls = 0;
        var getters = new Dictionary<string, Func<JsonObject, string?>>
        {
            ["spec.nodeName"] = o => { calls++; return o["spec"]?["nodeName"]?.GetValue<string>(); },
            ["status.phase"] = o => { calls++; return o["status"]?["phase"]?.GetValue<string>(); },
        };

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("n1", scanned.Field(kv, "spec.nodeName", getters));
            Assert.Equal("Running", scanned.Field(kv, "status.phase", getters));
        }

        Assert.Equal(2, calls);
    }

    [Fact]
    public void Field_ValuesSharedAcrossVersions_AnotherResourcesGettersAreNotMixedIn()
    {
        var bytes = Encoding.UTF8.GetBytes(Pod.ReplaceLineEndings(""));
        var first = Kv(bytes, 5);
        var second = Kv((byte[])bytes.Clone(), 6);
        var getters = new Dictionary<string, Func<JsonObject, string?>>
        {
            ["spec.nodeName"] = o => o["spec"]?["nodeName"]?.GetValue<string>() is { } s ? new string(s.AsSpan()) : null, // a fresh string per parse
            ["status.phase"] = o => o["status"]?["phase"]?.GetValue<string>(),
        };
        var other = new Dictionary<string, Func<JsonObject, string?>> { ["status.phase"] = _ => "elsewhere" };

        var a = StoredObject.Of(first)!.Field(first, "spec.nodeName", getters);
        var b = StoredObject.Of(second)!.Field(second, "spec.nodeName", getters);

        Assert.Equal("n1", a);
        Assert.Same(a, b);
        Assert.Null(StoredObject.Of(first)!.Field(first, "spec.unknown", getters));
        var scanned = StoredObject.Of(first)!;
        Assert.Equal("Running", scanned.Field(first, "status.phase", getters));
        Assert.Equal("elsewhere", scanned.Field(first, "status.phase", other));
        Assert.Equal("Running", scanned.Field(first, "status.phase", getters));
    }

    [Fact]
    public void Attach_SharesOneScanPerVersion_DeletionReusesTheLastStatesScan()
    {
        var kv = Kv(Encoding.UTF8.GetBytes(Pod.ReplaceLineEndings("")), 5);
        var attached = StoredObject.Attach(kv);
        Assert.Same(attached, StoredObject.Of(kv));
        Assert.Same(attached, StoredObject.Attach(kv with { ModRevision = 9 }, sameBytes: kv));
        Assert.NotSame(StoredObject.Of(Kv(kv.Value.ToArray(), 5)), StoredObject.Of(Kv(kv.Value.ToArray(), 5))); // not attached: transient
    }

    // The create response: the same splicer, from bytes alone (Serialization/StoredJson before).
    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","uid":"u"},"data":{"k":"v"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"metadata":"{\"x\":1}"}}""")]
    [InlineData("""{"data":{"metadata":{"name":"inner"}},"metadata":{"name":"late","labels":{"a":"b"},"annotations":{"k:{\"name\":\"c\"}":"<&>"}},"kind":"ConfigMap"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":[{"fieldsV1":{"f:metadata":{}}}]},"spec":{"containers":[{"name":"c","image":"i","args":["é","\u2028"]}]}}""")]
    public void Splice_CreateResponse_EqualsDecodeThenEncode(string stored)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);
        var expected = Responses.SerializeLine(GenericStore.Decode(new KeyValue("/registry/x", bytes, 7, 12345)));

        var spliced = StoredObject.Splice(bytes, 12345, newline: true);

        Assert.NotNull(spliced);
        Assert.Equal(Text(expected), Text(spliced));
    }

    [Fact]
    public void Splice_NoNewline_IsTheDocumentAlone() =>
        Assert.Equal("""{"metadata":{"name":"a","resourceVersion":"9"}}""", Text(StoredObject.Splice("""{"metadata":{"name":"a"}}"""u8, 9, newline: false)!));

    [Theory]
    [InlineData("""{"kind":"ConfigMap"}""")]
    [InlineData("""{"metadata":null}""")]
    [InlineData("""{"metadata":[1]}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"metadata":{"name":""")]
    public void Splice_NoMetadataObject_ReturnsNullForTheCallerToDecode(string stored) =>
        Assert.Null(StoredObject.Splice(Encoding.UTF8.GetBytes(stored), 1, newline: true));

    private static KeyValue Kv(byte[] value, long revision) => new("/registry/pods/prod/web-1", value, revision, revision);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
