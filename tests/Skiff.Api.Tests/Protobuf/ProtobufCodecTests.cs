using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Codec behaviour that the golden fixtures (every field filled) do not show: zero values, pointers,
/// formats, kind resolution and error handling.</summary>
public sealed class ProtobufCodecTests
{
    [Fact]
    public void Encode_MinimalNamespace_WritesNonPointerZeroFieldsLikeGogo()
    {
        var ns = Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"foo"}}""");

        var bytes = ProtobufCodec.Encode(ns);

        // k8s\0, TypeMeta{v1, Namespace}, raw = Namespace{metadata{name, 6 empty strings, generation 0,
        // creationTimestamp (empty Time)}, spec{}, status{phase ""}}, contentEncoding "", contentType "".
        Assert.Equal(
            "6B387300" + "0A0F0A0276311209" + Convert.ToHexString("Namespace"u8) + "121B"
            + "0A13" + "0A03666F6F" + "1200" + "1A00" + "2200" + "2A00" + "3200" + "3800" + "4200" + "1200" + "1A020A00"
            + "1A00" + "2200",
            Convert.ToHexString(bytes));
    }

    [Fact]
    public void Decode_MinimalNamespace_GivesUpstreamJson()
    {
        var bytes = ProtobufCodec.Encode(Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"foo"}}"""));

        var json = ProtobufCodec.Decode(bytes);

        // What upstream's Go types marshal to (kubectl create ns foo --dry-run=client -o json).
        Assert.Equal("""{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"foo","creationTimestamp":null},"spec":{},"status":{}}""", json.ToJsonString());
    }

    [Fact]
    public void RoundTrip_PointerFieldZero_IsKeptAndAbsentStaysAbsent()
    {
        var zero = Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");
        var absent = Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");

        var zeroBack = ProtobufCodec.Decode(ProtobufCodec.Encode(zero));
        var absentBack = ProtobufCodec.Decode(ProtobufCodec.Encode(absent));

        Assert.Equal(0, zeroBack["spec"]!["replicas"]!.GetValue<int>());
        Assert.False(absentBack["spec"]!.AsObject().ContainsKey("replicas"));
        Assert.Equal("i", zeroBack["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("b", zeroBack["spec"]!["selector"]!["matchLabels"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public void RoundTrip_SecretBytesAndMapOrder_Base64AndSortedByUtf8()
    {
        var secret = Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"\uE000":"AQI=","b":"","a":"aGVsbG8=","\uD83D\uDE00":"AA=="},"type":"Opaque"}""");

        var bytes = ProtobufCodec.Encode(secret);
        var back = ProtobufCodec.Decode(bytes);

        var data = back["data"]!.AsObject();
        Assert.Equal(["a", "b", "\uE000", "\uD83D\uDE00"], data.Select(kv => kv.Key).ToArray());
        Assert.Equal("aGVsbG8=", data["a"]!.GetValue<string>());
        Assert.Equal("", data["b"]!.GetValue<string>());
        Assert.Equal("AQI=", data["\uE000"]!.GetValue<string>());
    }

    [Fact]
    public void RoundTrip_IntOrStringAndTimes_UseUpstreamForms()
    {
        var svc = Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s","creationTimestamp":"2006-01-02T15:04:05+07:00"},"spec":{"ports":[{"port":80,"targetPort":8080},{"port":81,"targetPort":"http"}]}}""");
        var ev = Parse("""{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},"eventTime":"2020-05-06T07:08:09.123456789Z"}""");

        var svcBack = ProtobufCodec.Decode(ProtobufCodec.Encode(svc));
        var evBack = ProtobufCodec.Decode(ProtobufCodec.Encode(ev));

        Assert.Equal("2006-01-02T08:04:05Z", svcBack["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal(8080, svcBack["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
        Assert.Equal("http", svcBack["spec"]!["ports"]![1]!["targetPort"]!.GetValue<string>());
        Assert.Equal("2020-05-06T07:08:09.123456Z", evBack["eventTime"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(100L, "100ns")]
    [InlineData(1_500L, "1.5\u00b5s")]
    [InlineData(2_000_000L, "2ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(60_000_000_000L, "1m0s")]
    [InlineData(3_723_000_000_000L, "1h2m3s")]
    [InlineData(-90_000_000_000L, "-1m30s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    public void FormatDuration_GoForms_RoundTripThroughParse(long nanos, string text)
    {
        Assert.Equal(text, GoFormats.FormatDuration(nanos));
        Assert.True(GoFormats.TryParseDuration(text, out var parsed));
        Assert.Equal(nanos, parsed);
    }

    [Theory]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("300ms", 300_000_000L)]
    [InlineData("2us", 2_000L)]
    [InlineData("+0", 0L)]
    public void TryParseDuration_GoInputs_Parse(string text, long nanos)
    {
        Assert.True(GoFormats.TryParseDuration(text, out var parsed));
        Assert.Equal(nanos, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1x")]
    [InlineData("h")]
    [InlineData("9999999999999999999h")]
    public void TryParseDuration_BadInputs_Fail(string text) => Assert.False(GoFormats.TryParseDuration(text, out _));

    [Theory]
    [InlineData("v1", "Pod", "k8s.io.api.core.v1.Pod")]
    [InlineData("apps/v1", "Deployment", "k8s.io.api.apps.v1.Deployment")]
    [InlineData("rbac.authorization.k8s.io/v1", "Role", "k8s.io.api.rbac.v1.Role")]
    [InlineData("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "k8s.io.api.flowcontrol.v1.FlowSchema")]
    [InlineData("internal.apiserver.k8s.io/v1alpha1", "StorageVersion", "k8s.io.api.apiserverinternal.v1alpha1.StorageVersion")]
    [InlineData("v1", "Status", "k8s.io.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData("apps/v1", "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions")]
    [InlineData("meta.k8s.io/v1", "PartialObjectMetadata", "k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata")]
    [InlineData("v1", "WatchEvent", "k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent")]
    [InlineData("v1", "PodList", "k8s.io.api.core.v1.PodList")]
    public void TryGetMessageFor_BuiltInKinds_Resolve(string apiVersion, string kind, string message)
    {
        Assert.True(ProtobufCodec.TryGetMessageFor(apiVersion, kind, out var name));
        Assert.Equal(message, name);
    }

    [Theory]
    [InlineData("v1", "PodSpec")]
    [InlineData("example.com/v1", "Widget")]
    [InlineData("apps/v1", "Pod")]
    [InlineData("v1", "")]
    [InlineData("", "Pod")]
    [InlineData("apps/v1/x", "Deployment")]
    public void TryGetMessageFor_NotAKind_False(string apiVersion, string kind) => Assert.False(ProtobufCodec.TryGetMessageFor(apiVersion, kind, out _));

    [Fact]
    public void Decode_UnknownFieldNumbers_AreSkipped()
    {
        var cm = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}""");
        var bytes = ProtobufCodec.Encode(cm);
        var expected = ProtobufCodec.Decode(bytes).ToJsonString();
        // Append fields 99 (varint), 100 (bytes) and 101 (fixed32) inside raw: raw is the last-but-two field, so
        // rebuild the envelope around a raw with extra fields.
        var raw = ExtractRaw(bytes);
        byte[] extra = [0x98, 0x06, 0x05, 0xA2, 0x06, 0x02, 0x01, 0x02, 0xAD, 0x06, 1, 2, 3, 4];
        var withUnknown = Envelope("v1", "ConfigMap", [.. raw, .. extra]);

        Assert.Equal(expected, ProtobufCodec.Decode(withUnknown).ToJsonString());
    }

    [Fact]
    public void Decode_PackedRepeatedScalars_AreAccepted()
    {
        // batch/v1 PodFailurePolicyOnExitCodesRequirement: operator "In", values (repeated int32, field 3)
        // packed as one length-delimited field; gogo writes them unpacked but accepts both.
        var message = ProtoSchema.Instance.Message("k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement")!;
        byte[] packed = [0x12, 0x02, (byte)'I', (byte)'n', 0x1A, 0x04, 0x01, 0x02, 0xAC, 0x02];
        byte[] unpacked = [0x12, 0x02, (byte)'I', (byte)'n', 0x18, 0x01, 0x18, 0x02, 0x18, 0xAC, 0x02];

        var fromPacked = DecodeMessage(packed, message);
        var fromUnpacked = DecodeMessage(unpacked, message);

        Assert.Equal("[1,2,300]", fromPacked["values"]!.ToJsonString());
        Assert.Equal(fromUnpacked.ToJsonString(), fromPacked.ToJsonString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("6B3873")]
    [InlineData("6B387301")]
    [InlineData("7B7D")]
    [InlineData("6B3873000A")]
    [InlineData("6B3873000A050A027631")]
    [InlineData("6B387300FFFFFFFFFFFFFFFFFFFF01")]
    [InlineData("6B3873000A0F0A0276311209436F6E6669674D61701205")]
    [InlineData("6B387300070000")]
    public void Decode_Malformed_ThrowsProtobufDecodeException(string hex)
    {
        Assert.Throws<ProtobufDecodeException>(() => ProtobufCodec.Decode(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Decode_UnknownKind_ThrowsWithKindInMessage()
    {
        var e = Assert.Throws<ProtobufDecodeException>(() => ProtobufCodec.Decode(Envelope("example.com/v1", "Widget", [])));
        Assert.Contains("Widget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_WrongWireTypeForKnownField_Throws()
    {
        // ConfigMap field 1 (metadata) sent as a varint.
        Assert.Throws<ProtobufDecodeException>(() => ProtobufCodec.Decode(Envelope("v1", "ConfigMap", [0x08, 0x01])));
    }

    [Fact]
    public void Decode_NestingDeeperThanLimit_Throws()
    {
        // WatchEvents whose object is another WatchEvent envelope, 120 levels deep.
        byte[] inner = Envelope("v1", "ConfigMap", []);
        for (var i = 0; i < 120; i++)
        {
            byte[] ext = [0x0A, .. Varint(inner.Length), .. inner];
            byte[] ev = [0x0A, 0x01, (byte)'A', 0x12, .. Varint(ext.Length), .. ext];
            inner = Envelope("v1", "WatchEvent", ev);
        }

        var e = Assert.Throws<ProtobufDecodeException>(() => ProtobufCodec.Decode(inner));
        Assert.Contains("nested", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_CustomResourceOrBadValue_ThrowsProtobufEncodeException()
    {
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.Encode(Parse("""{"apiVersion":"example.com/v1","kind":"Widget"}""")));
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.Encode(Parse("""{"kind":"Pod"}""")));
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.Encode(Parse("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"three"}}""")));
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.Encode(Parse("""{"apiVersion":"v1","kind":"Secret","data":{"a":"not base64!"}}""")));
        Assert.Throws<ProtobufEncodeException>(() => ProtobufCodec.Encode(Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"yesterday"}}""")));
    }

    [Fact]
    public async Task WatchFrames_WriteThenRead_GiveTheEventsBackAndNullAtEnd()
    {
        var cm = Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","resourceVersion":"5"},"data":{"k":"v"}}""");
        var status = Parse("""{"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"too old","reason":"Expired","code":410}""");
        using var stream = new MemoryStream();
        await ProtobufWatch.WriteEventAsync(stream, "ADDED", cm, CancellationToken.None);
        await ProtobufWatch.WriteEventAsync(stream, "ERROR", status, CancellationToken.None);
        var bytes = stream.ToArray();
        stream.Position = 0;

        var first = await ProtobufWatch.ReadEventAsync(stream, CancellationToken.None);
        var second = await ProtobufWatch.ReadEventAsync(stream, CancellationToken.None);
        var end = await ProtobufWatch.ReadEventAsync(stream, CancellationToken.None);

        var firstLength = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        Assert.Equal(ProtobufWatch.EncodeEventFrame("ADDED", cm).Length, firstLength + 4);
        Assert.Equal(0x0A, bytes[4]); // WatchEvent.type, no envelope around the event
        Assert.Equal("ADDED", first!.Type);
        Assert.Equal("v", first.Object["data"]!["k"]!.GetValue<string>());
        Assert.Equal("ConfigMap", first.Object["kind"]!.GetValue<string>());
        Assert.Equal("ERROR", second!.Type);
        Assert.Equal(410, second.Object["code"]!.GetValue<int>());
        Assert.Null(end);
    }

    [Fact]
    public async Task WatchFrames_TruncatedStream_Throws()
    {
        var frame = ProtobufWatch.EncodeEventFrame("ADDED", Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"""));
        using var stream = new MemoryStream(frame[..^3]);

        await Assert.ThrowsAsync<ProtobufDecodeException>(() => ProtobufWatch.ReadEventAsync(stream, CancellationToken.None));
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject DecodeMessage(byte[] data, ProtoMessage message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        ProtoJsonDecoder.TranscodeMessage(data, message, buffer);
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    private static byte[] Varint(int value)
    {
        var list = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            list.Add((byte)(v | 0x80));
            v >>= 7;
        }

        list.Add((byte)v);
        return [.. list];
    }

    private static byte[] Str(int number, string s)
    {
        var b = System.Text.Encoding.UTF8.GetBytes(s);
        return [(byte)((number << 3) | 2), .. Varint(b.Length), .. b];
    }

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        byte[] typeMeta = [.. Str(1, apiVersion), .. Str(2, kind)];
        return [.. "k8s\0"u8, 0x0A, .. Varint(typeMeta.Length), .. typeMeta, 0x12, .. Varint(raw.Length), .. raw];
    }

    private static byte[] ExtractRaw(byte[] envelope)
    {
        var i = 4;
        i++; // tag 1
        var typeMetaLength = envelope[i++];
        i += typeMetaLength;
        i++; // tag 2
        var length = 0;
        var shift = 0;
        byte b;
        do
        {
            b = envelope[i++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);
        return envelope[i..(i + length)];
    }
}
