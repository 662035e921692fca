using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Differential tests: the streaming encoder (Utf8JsonReader) against the document encoder (JsonDocument).
/// The streaming encoder must give the same bytes, or give up (the codec then uses the document encoder).</summary>
public sealed class ProtoStreamEncoderTests
{
    private static readonly IReadOnlyList<(string ApiVersion, string Kind)> Kinds = KindList();

    [SkippableFact]
    public void Fixtures_StreamAndDocument_ByteIdentical()
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var random = new Random(3);
        var count = 0;
        foreach (var name in Fixtures.Names())
        {
            var text = File.ReadAllText(Path.Combine(Fixtures.Directory!, name + ".json"));
            var node = JsonNode.Parse(text)!.AsObject();
            var compact = Encoding.UTF8.GetBytes(node.ToJsonString());
            var (av, kind) = node.ContainsKey("kind") ? (null, null) : (ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name));
            AssertStreamed(compact, name, av, kind);
            AssertStreamed(Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })), name + " (indented)", av, kind);
            AssertStreamed(Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default })), name + " (escaped values)", av, kind);
            AssertStreamed(Encoding.UTF8.GetBytes(Shuffle(node, random).ToJsonString()), name + " (shuffled)", av, kind);
            AssertStreamed(EscapeNames(compact), name + " (escaped names)", av, kind);
            if (av is not null)
            {
                continue;
            }

            AssertSameThroughCodec(Duplicate(node, random), name + " (duplicated)");
            AssertSameThroughCodec(Encoding.UTF8.GetBytes(text), name + " (file text)");
            count++;
        }

        Assert.True(count > 100, $"only {count} fixtures");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomObjects_StreamAndDocument_ByteIdentical(int seed)
    {
        var objects = new RandomObjects(seed);
        for (var i = 0; i < 150; i++)
        {
            var (obj, apiVersion, kind) = objects.NextObject(Kinds);
            var json = Encoding.UTF8.GetBytes(obj.ToJsonString());
            AssertStreamed(json, $"seed {seed} #{i}");
            AssertStreamed(json, $"seed {seed} #{i} explicit kind", apiVersion, kind);
            AssertStreamed(Encoding.UTF8.GetBytes(Shuffle(obj, objects.Random).ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default })), $"seed {seed} #{i} shuffled, escaped");
            AssertSameThroughCodec(Duplicate(obj, objects.Random), $"seed {seed} #{i} duplicated");
        }
    }

    [Theory]
    [InlineData("""{"apiVersion":"example.com/v1","kind":"Widget"}""")]
    [InlineData("""{"kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"three"}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3000000000}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1.5}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","data":{"a":"not base64!"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","data":["a"]}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"yesterday"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"labels":"x"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"finalizers":{"a":1}}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":7}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":[]}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"activeDeadlineSeconds":true}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"hostNetwork":"yes"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"ports":[{"containerPort":80,"hostPort":{}}]}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"livenessProbe":{"httpGet":{"port":[1]}}}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"livenessProbe":{"httpGet":{"port":9999999999}}}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"volumes":[{"name":"v","configMap":{"defaultMode":"x"}}]}}""")]
    [InlineData("""{"apiVersion":"batch/v1","kind":"CronJob","spec":{"jobTemplate":{"spec":{"activeDeadlineSeconds":"1"}}}}""")]
    [InlineData("""{"apiVersion":"meta.k8s.io/v1","kind":"Status","details":{"retryAfterSeconds":"a"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}} x""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}""")]
    [InlineData("""[{"apiVersion":"v1","kind":"Pod"}]""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod",}""")]
    [InlineData("")]
    [InlineData("null")]
    public void BadInput_BothEncoders_ThrowProtobufEncodeException(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Null(Stream(bytes, null, null));
        Assert.Throws<ProtobufEncodeException>(() => Document(bytes, null, null));
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.EncodeJson(bytes));
    }

    [Theory]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"three","replicas":3}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","data":{"b":"1","a":"2","b":"3"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","data":{"b":"1"},"data":{"a":"2"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","data":{"\u0062":"1","a":"2"}}""")]
    [InlineData("""{"metadata":{"name":"x"},"kind":"ConfigMap","apiVersion":"v1"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","kind":"Secret","data":{"a":"YQ=="}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"kind":"Secret"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":null}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"volumes":[{"name":"v","configMap":{"name":"c"},"configMap":null}]}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1e2,"minReadySeconds":2.0,"revisionHistoryLimit":-0}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"resources":{"limits":{"cpu":1.50,"memory":"1\u0047i"}}}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"livenessProbe":{"httpGet":{"port":80.0}}},{"readinessProbe":{"httpGet":{"port":"h\u0074tp"}}}]}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","data":{"z":null,"a":"x"},"binaryData":{"b":null}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","spec":{"containers":[null,{"name":"a"}],"volumes":[{"name":"v"}]}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"b":[1,2.50,"\u00e9\n",{"k\"":null}],"a":true}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"s":" !#$%&'()*+,-./:;<=>?@[]^_`{|}~\"\\","n":[-1.5e3,0,true,false,null,{}],"e":{}}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"s":"a\/b","t":"\u0041\t\n"}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"k\"\\":"\u007f","u":"\u00e9"}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data": [ 1 , "x" , { "a" : [ ] } ] }""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":"just a string"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap"}""")]
    [InlineData("""{"kind":"ConfigMap","apiVersion":"v1"}""")]
    public void EdgeCases_Codec_SameAsDocumentEncoder(string json)
        => AssertSameThroughCodec(Encoding.UTF8.GetBytes(json), json);

    [Fact]
    public void ExplicitKind_WatchEventWithoutTypeMeta_ByteIdentical()
    {
        var json = """{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}}"""u8.ToArray();
        var streamed = Stream(json, "meta.k8s.io/v1", "WatchEvent");
        Assert.NotNull(streamed);
        Assert.Equal(Document(json, "meta.k8s.io/v1", "WatchEvent"), streamed);
    }

    [Fact]
    public void MutatedText_StreamAndDocument_SameBytesOrBothThrow()
    {
        // Separate streams for fixture and generated seeds: the generated cases do not depend on ../shared.
        var fixtureRandom = new Random(17);
        var generatedRandom = new Random(18);
        var seeds = new List<(byte[] Seed, Random Random)>();
        if (Fixtures.Directory is not null)
        {
            seeds.AddRange(Fixtures.Names().Take(120).Select(n => (File.ReadAllBytes(Path.Combine(Fixtures.Directory, n + ".json")), fixtureRandom)));
        }

        var objects = new RandomObjects(23);
        for (var i = 0; i < 60; i++)
        {
            seeds.Add((Encoding.UTF8.GetBytes(objects.NextObject(Kinds).Object.ToJsonString()), generatedRandom));
        }

        var streamedAfterMutation = 0;
        foreach (var (seed, random) in seeds)
        {
            for (var m = 0; m < 20; m++)
            {
                var mutated = Mutate(seed, random);
                var streamed = Stream(mutated, null, null);
                byte[]? document = null;
                Exception? failure = null;
                try
                {
                    document = Document(mutated, null, null);
                }
                catch (Exception e)
                {
                    failure = e; // ProtobufEncodeException, or what the document encoder has always let through
                }

                if (streamed is not null)
                {
                    streamedAfterMutation++;
                    Assert.True(document is not null, "streamed what the document encoder rejects: " + Encoding.UTF8.GetString(mutated));
                    Assert.True(document.AsSpan().SequenceEqual(streamed), "different bytes for " + Encoding.UTF8.GetString(mutated));
                }

                if (document is null)
                {
                    var e = Assert.ThrowsAny<Exception>(() => ProtobufCodec.EncodeJson(mutated));
                    Assert.Equal(failure!.GetType(), e.GetType());
                }
                else
                {
                    Assert.Equal(document, ProtobufCodec.EncodeJson(mutated));
                }
            }
        }

        Assert.True(streamedAfterMutation > 100, $"only {streamedAfterMutation} mutations were streamed");
    }

    /// <summary>The codec (streaming, falling back to the document) gives what the document encoder gives.</summary>
    private static void AssertSameThroughCodec(byte[] json, string what)
    {
        byte[] expected;
        try
        {
            expected = Document(json, null, null);
        }
        catch (ProtobufEncodeException)
        {
            Assert.Null(Stream(json, null, null));
            Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.EncodeJson(json));
            return;
        }

        var streamed = Stream(json, null, null);
        Assert.True(streamed is null || streamed.AsSpan().SequenceEqual(expected), what + ": streamed bytes differ");
        Assert.True(ProtobufCodec.EncodeJson(json).AsSpan().SequenceEqual(expected), what + ": codec bytes differ");
    }

    /// <summary>The streaming encoder handles the text itself and gives the document encoder's bytes.</summary>
    private static void AssertStreamed(byte[] json, string what, string? apiVersion = null, string? kind = null)
    {
        var expected = Document(json, apiVersion, kind);
        var streamed = Stream(json, apiVersion, kind);
        Assert.True(streamed is not null, what + ": the streaming encoder gave up: " + ProtoStreamEncoder.LastGiveUp);
        Assert.True(streamed.AsSpan().SequenceEqual(expected), $"{what}: bytes differ at {streamed.AsSpan().CommonPrefixLength(expected)}");
        var obj = JsonNode.Parse(json)!.AsObject();
        if (apiVersion is null || kind is null)
        {
            Assert.True(ProtobufCodec.EncodeJson(json).AsSpan().SequenceEqual(expected), what + ": codec bytes differ");
            Assert.True(ProtobufCodec.Encode(obj).AsSpan().SequenceEqual(expected), what + ": Encode(JsonObject) bytes differ");
        }
        else
        {
            Assert.True(ProtobufCodec.EncodeJson(json, apiVersion, kind).AsSpan().SequenceEqual(expected), what + ": codec bytes differ");
            Assert.True(ProtobufCodec.Encode(obj, apiVersion, kind).AsSpan().SequenceEqual(expected), what + ": Encode(JsonObject) bytes differ");
        }
    }

    private static byte[]? Stream(byte[] json, string? apiVersion, string? kind)
    {
        using var w = new ProtoWriter(256);
        return ProtoStreamEncoder.TryEncode(json, apiVersion, kind, w) ? w.ToArray() : null;
    }

    /// <summary>The document encoder, as ProtobufCodec ran it before the streaming encoder (bad JSON included).</summary>
    private static byte[] Document(byte[] json, string? apiVersion, string? kind)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ProtobufCodec.ParseOptions);
        }
        catch (JsonException e)
        {
            throw new ProtobufEncodeException("not valid JSON", e);
        }

        using (document)
        {
            using var w = new ProtoWriter(256);
            ProtobufCodec.EncodeElement(document.RootElement, apiVersion, kind, w);
            return w.ToArray();
        }
    }

    /// <summary>A copy with every object's properties in random order (apiVersion and kind kept first at the top).</summary>
    private static JsonNode Shuffle(JsonNode node, Random random, bool top = true)
    {
        switch (node)
        {
            case JsonObject obj:
                var props = obj.Select(p => (p.Key, Value: p.Value is null ? null : Shuffle(p.Value, random, false))).ToList();
                var head = top ? props.Where(p => p.Key is "apiVersion" or "kind").ToList() : [];
                var rest = props.Except(head).OrderBy(_ => random.Next()).ToList();
                var result = new JsonObject();
                foreach (var (key, value) in head.Concat(rest))
                {
                    result[key] = value;
                }

                return result;
            case JsonArray array:
                return new JsonArray([.. array.Select(v => v is null ? null : Shuffle(v, random, false))]);
            default:
                return node.DeepClone();
        }
    }

    /// <summary>Compact JSON with some properties written twice (an earlier null, the same, or another value first).</summary>
    private static byte[] Duplicate(JsonNode node, Random random)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(node, writer, random, top: true);
        }

        return stream.ToArray();

        static void Write(JsonNode? node, Utf8JsonWriter writer, Random random, bool top)
        {
            if (node is JsonObject obj)
            {
                writer.WriteStartObject();
                foreach (var (key, value) in obj)
                {
                    if (!(top && key is "apiVersion" or "kind") && random.Next(6) == 0)
                    {
                        writer.WritePropertyName(key);
                        switch (random.Next(3))
                        {
                            case 0: writer.WriteNullValue(); break;
                            case 1: Write(value, writer, random, false); break;
                            default: writer.WriteStringValue("dup"); break;
                        }
                    }

                    writer.WritePropertyName(key);
                    Write(value, writer, random, false);
                }

                writer.WriteEndObject();
            }
            else if (node is JsonArray array)
            {
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(item, writer, random, false);
                }

                writer.WriteEndArray();
            }
            else if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }
    }

    /// <summary>Some common field names written with a \u escape (the names still match their fields).</summary>
    private static byte[] EscapeNames(byte[] json)
    {
        var text = Encoding.UTF8.GetString(json);
        foreach (var name in new[] { "metadata", "name", "spec", "containers", "image", "status", "namespace", "template" })
        {
            text = text.Replace($"\"{name}\":", $"\"\\u{(int)name[0]:x4}{name[1..]}\":", StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static byte[] Mutate(byte[] json, Random random)
    {
        var data = json.ToList();
        switch (random.Next(6))
        {
            case 0:
                return [.. data.Take(random.Next(data.Count))]; // truncation
            case 1:
                data.RemoveAt(random.Next(data.Count));
                return [.. data];
            case 2:
                data.Insert(random.Next(data.Count), (byte)"\"{}[],:0-1.eE\\ntfa\u00e9"[random.Next(19)]);
                return [.. data];
            default:
                return ChangeValue(json, random);
        }
    }

    /// <summary>Replaces one value after a ':' or in an array with a value of another JSON type.</summary>
    private static byte[] ChangeValue(byte[] json, Random random)
    {
        var text = Encoding.UTF8.GetString(json);
        var colons = new List<int>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ':' && i + 1 < text.Length && text[i + 1] is '"' or 't' or 'f' or 'n' or '-' or (>= '0' and <= '9'))
            {
                colons.Add(i + 1);
            }
        }

        if (colons.Count == 0)
        {
            return json;
        }

        var start = colons[random.Next(colons.Count)];
        var end = start;
        if (text[start] == '"')
        {
            end++;
            while (end < text.Length && text[end] != '"')
            {
                end += text[end] == '\\' ? 2 : 1;
            }

            end++;
        }
        else
        {
            while (end < text.Length && text[end] is not (',' or '}' or ']'))
            {
                end++;
            }
        }

        var replacement = new[] { "1", "-7", "1.5", "1e400", "9223372036854775808", "true", "null", "\"x\"", "\"\\u0041b\"", "{}", "[]", "[null]", "\"2024-01-01T00:00:00Z\"", "\"1s\"" }[random.Next(14)];
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, start), replacement, text.AsSpan(Math.Min(end, text.Length))));
    }

    private static List<(string, string)> KindList()
    {
        var kinds = new List<(string, string)>();
        if (Fixtures.Directory is not null)
        {
            foreach (var name in Fixtures.Names())
            {
                kinds.Add((ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name)));
            }
        }
        else
        {
            kinds.AddRange([("v1", "Pod"), ("v1", "Secret"), ("apps/v1", "Deployment"), ("v1", "Status"), ("batch/v1", "Job"), ("v1", "Node"), ("v1", "Event")]);
        }

        return kinds;
    }
}
