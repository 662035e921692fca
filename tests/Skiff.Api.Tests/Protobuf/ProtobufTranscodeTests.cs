using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>The byte-level entry points: protobuf → JSON text (DecodeToJson) and JSON text → protobuf (EncodeJson),
/// against upstream's fixtures and against the reference tree decoder.</summary>
public sealed class ProtobufTranscodeTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly IReadOnlyList<(string ApiVersion, string Kind)> Kinds = AllKinds();

    public static TheoryData<string> FixtureNames() => ProtobufGoldenTests.FixtureNames();

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void DecodeToJson_Fixture_EqualsUpstreamJsonText(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, json) = Load(name);

        var text = Encoding.UTF8.GetString(ProtobufCodec.DecodeToJsonBytes(pb, ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name)));

        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(Relaxed), text);
        Assert.Equal(TreeDecoder.Decode(pb, ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name)).ToJsonString(Relaxed), text);
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void EncodeJson_FixtureJson_EqualsUpstreamBytes(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, json) = Load(name);

        var encoded = ProtobufCodec.EncodeJson(json, ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name));

        Assert.True(pb.AsSpan().SequenceEqual(encoded), $"{name}: bytes differ at {pb.AsSpan().CommonPrefixLength(encoded)} of {pb.Length}/{encoded.Length}");
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void Encode_ParsedThenTouchedFixture_EqualsTreeEncoder(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (_, json) = Load(name);
        var apiVersion = ProtobufGoldenTests.ApiVersionOf(name);
        var kind = ProtobufGoldenTests.KindOf(name);
        var obj = JsonNode.Parse(json)!.AsObject();
        if (obj["metadata"] is JsonObject metadata)
        {
            metadata["resourceVersion"] = "424242";
        }

        var viaText = ProtobufCodec.Encode(obj, apiVersion, kind);
        using var tree = new ProtoWriter();
        ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message);
        TreeEncoder.EncodeEnvelope(obj, message!, apiVersion, kind, tree);

        Assert.True(tree.WrittenSpan.SequenceEqual(viaText), $"{name}: differs at {tree.WrittenSpan.CommonPrefixLength(viaText)}");
        if (obj["metadata"] is JsonObject)
        {
            Assert.Equal("424242", ProtobufCodec.Decode(viaText, apiVersion, kind)["metadata"]!["resourceVersion"]!.GetValue<string>());
        }
    }

    [Fact]
    public void DecodeToJson_UnsortedAndDuplicateMapKeys_SortedBytewiseLastWins()
    {
        // ConfigMap.data (field 2) entries on the wire: "b"="1", "a"="2", "é"="3", "b"="4", "B"="5".
        byte[] raw = [.. Entry("b", "1"), .. Entry("a", "2"), .. Entry("é", "3"), .. Entry("b", "4"), .. Entry("B", "5")];

        var text = Encoding.UTF8.GetString(ProtobufCodec.DecodeToJsonBytes(Envelope("v1", "ConfigMap", raw)));
        var obj = ProtobufCodec.Decode(Envelope("v1", "ConfigMap", raw));

        Assert.Equal("""{"kind":"ConfigMap","apiVersion":"v1","data":{"B":"5","a":"2","b":"4","é":"3"}}""", text);
        Assert.Equal(["B", "a", "b", "é"], obj["data"]!.AsObject().Select(kv => kv.Key).ToArray());
        Assert.Equal(ProtobufCodec.Encode(obj), ProtobufCodec.EncodeJson(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void DecodeToJson_InvalidUtf8KeysAndValues_BecomeReplacementCharacters()
    {
        byte[] raw = [.. Entry([0xFF], [0xC3]), .. Entry("a", "x")];

        var obj = ProtobufCodec.Decode(Envelope("v1", "ConfigMap", raw));

        Assert.Equal("\uFFFD", obj["data"]!["\uFFFD"]!.GetValue<string>());
        Assert.Equal(["a", "\uFFFD"], obj["data"]!.AsObject().Select(kv => kv.Key).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'D', (byte)'D', (byte)'A', (byte)'D' }, "\uFFFD")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'3', (byte)'d' }, "\uFFFD")]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }, "\uFFFD\uFFFDabcd")]
    public void Decode_RawExtensionWithInvalidUtf8OrLoneSurrogate_ReplacementCharacters(byte[] text, string expected)
    {
        // A ControllerRevision whose data (RawExtension) holds {"k":"ZZZZZZ"}, the six bytes then swapped in place for a
        // lone surrogate escape or invalid UTF-8: Go's decoder reads either as U+FFFD; all three decoders must agree.
        var pb = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"data":{"k":"ZZZZZZ"},"revision":1}""")!.AsObject());
        var at = pb.AsSpan().IndexOf("ZZZZZZ"u8);
        text.CopyTo(pb, at);

        var tree = ProtobufCodec.Decode(pb);
        var bytes = ProtobufCodec.DecodeToJsonBytes(pb);

        Assert.Equal(expected, tree["data"]!["k"]!.GetValue<string>());
        Assert.Equal(expected, JsonNode.Parse(bytes)!["data"]!["k"]!.GetValue<string>());
        Assert.Equal(TreeDecoder.Decode(pb).ToJsonString(Relaxed), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void EncodeJson_MapKeysUnsortedAndDuplicated_SortedLastWins()
    {
        var sorted = ProtobufCodec.EncodeJson("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"3"}}"""u8);

        var unsorted = ProtobufCodec.EncodeJson("""{"kind":"ConfigMap","data":{"b":"2","a":"1","b":"3"},"metadata":{"name":"c"},"apiVersion":"v1","extra":[1]}"""u8);

        Assert.Equal(sorted, unsorted);
    }

    [Fact]
    public void EncodeJson_EscapedNamesAndStrings_SameAsUnescaped()
    {
        var plain = ProtobufCodec.EncodeJson("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"ké":"v\"1"}}"""u8);

        var escaped = ProtobufCodec.EncodeJson("""{"apiVersion":"v1","kind":"ConfigMap","\u006detadata":{"name":"\u0063"},"data":{"k\u00e9":"v\u00221"}}"""u8);

        Assert.Equal(plain, escaped);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1]")]
    [InlineData("{\"kind\":\"Pod\"}")]
    [InlineData("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\"}")]
    [InlineData("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":\"three\"}}")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"a\":\"not base64!\"}}")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\":\"yesterday\"}}")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":{}}}")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"")]
    public void EncodeJson_BadInput_ThrowsProtobufEncodeException(string json)
    {
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.EncodeJson(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void RandomObjects_ThroughJsonBytes_ByteIdentical(int seed)
    {
        var random = new RandomObjects(seed);
        for (var i = 0; i < 150; i++)
        {
            var (obj, apiVersion, kind) = random.NextObject(Kinds);
            var first = ProtobufCodec.Encode(obj, apiVersion, kind);

            var text = ProtobufCodec.DecodeToJsonBytes(first, apiVersion, kind);
            var second = ProtobufCodec.EncodeJson(text, apiVersion, kind);

            Assert.True(first.AsSpan().SequenceEqual(second), $"seed {seed} #{i} {apiVersion} {kind}: differs at {first.AsSpan().CommonPrefixLength(second)}");
            Assert.Equal(TreeDecoder.Decode(first, apiVersion, kind).ToJsonString(Relaxed), Encoding.UTF8.GetString(text));
        }
    }

    [Fact]
    public void MutatedEnvelopes_DecodeToJson_SameResultOrSameErrorAsTreeDecoder()
    {
        // Fixture seeds and generated seeds draw their mutations from separate streams, so the generated cases are the
        // same whether ../shared is present or not (a fresh clone runs exactly what CI runs).
        var fixtureRandom = new Random(17);
        var generatedRandom = new Random(18);
        var seeds = new List<(byte[] Seed, Random Random)>();
        if (Fixtures.Directory is not null)
        {
            seeds.AddRange(Fixtures.Names().Select(n => (File.ReadAllBytes(Path.Combine(Fixtures.Directory, n + ".pb")), fixtureRandom)));
        }

        var objects = new RandomObjects(9);
        for (var i = 0; i < 40; i++)
        {
            var (obj, apiVersion, kind) = objects.NextObject(Kinds);
            seeds.Add((ProtobufCodec.Encode(obj, apiVersion, kind), generatedRandom));
        }

        var failures = new List<string>();
        foreach (var (seed, random) in seeds)
        {
            for (var m = 0; m < 25; m++)
            {
                var data = ProtobufFuzzTests.Mutate(seed, random);
                string? expected, actual;
                try
                {
                    expected = "ok " + TreeDecoder.Decode(data).ToJsonString(Relaxed);
                }
                catch (ProtobufDecodeException e)
                {
                    expected = "error " + e.Message;
                }

                try
                {
                    actual = "ok " + Encoding.UTF8.GetString(ProtobufCodec.DecodeToJsonBytes(data));
                }
                catch (ProtobufDecodeException e)
                {
                    actual = "error " + e.Message;
                }

                if (expected != actual)
                {
                    var at = expected.AsSpan().CommonPrefixLength(actual);
                    failures.Add($"{Convert.ToHexString(data)}: at {at} expected …{Short(expected[Math.Max(0, at - 100)..])}, got …{Short(actual[Math.Max(0, at - 100)..])}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} differences, first: {failures.FirstOrDefault()}");
    }

    private static string Short(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private static byte[] Entry(string key, string value) => Entry(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));

    private static byte[] Entry(byte[] key, byte[] value)
    {
        byte[] body = [0x0A, (byte)key.Length, .. key, 0x12, (byte)value.Length, .. value];
        return [0x12, (byte)body.Length, .. body];
    }

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        var av = Encoding.UTF8.GetBytes(apiVersion);
        var k = Encoding.UTF8.GetBytes(kind);
        byte[] typeMeta = [0x0A, (byte)av.Length, .. av, 0x12, (byte)k.Length, .. k];
        return [.. "k8s\0"u8, 0x0A, (byte)typeMeta.Length, .. typeMeta, 0x12, (byte)raw.Length, .. raw];
    }

    private static (byte[] Pb, byte[] Json) Load(string name)
        => (File.ReadAllBytes(Path.Combine(Fixtures.Directory!, name + ".pb")), File.ReadAllBytes(Path.Combine(Fixtures.Directory!, name + ".json")));

    private static List<(string, string)> AllKinds()
    {
        var kinds = new List<(string, string)>();
        foreach (var name in Fixtures.Names())
        {
            kinds.Add((ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name)));
        }

        if (kinds.Count == 0)
        {
            kinds.AddRange([("v1", "Pod"), ("v1", "Secret"), ("apps/v1", "Deployment"), ("v1", "ConfigMap")]);
        }

        return kinds;
    }
}
