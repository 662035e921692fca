using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;

namespace Skiff.ApiServer.Tests.BadInput;

public static partial class BadInputCorpus
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    /// <summary>A <c>runtime.Unknown</c> envelope: typeMeta (apiVersion, kind), raw, and optionally contentEncoding.</summary>
    public static byte[] Envelope(string apiVersion, string kind, byte[] raw, string? contentEncoding = null)
    {
        byte[] typeMeta = [.. Field(1, Encoding.UTF8.GetBytes(apiVersion)), .. Field(2, Encoding.UTF8.GetBytes(kind))];
        byte[] body = [.. Magic, .. Field(1, typeMeta), .. Field(2, raw)];
        return contentEncoding is null ? body : [.. body, .. Field(3, Encoding.UTF8.GetBytes(contentEncoding))];
    }

    /// <summary>A length-delimited field.</summary>
    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong v)
    {
        var output = new List<byte>();
        while (v >= 0x80)
        {
            output.Add((byte)(v | 0x80));
            v >>= 7;
        }

        output.Add((byte)v);
        return [.. output];
    }

    /// <summary>A valid envelope of <paramref name="json"/> with the first occurrence of <paramref name="marker"/> overwritten in place.</summary>
    private static byte[] Patched(string json, string marker, byte[] replacement)
    {
        var pb = ProtobufCodec.Encode(JsonNode.Parse(json)!.AsObject());
        var at = pb.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        replacement.CopyTo(pb, at);
        return pb;
    }

    private static IEnumerable<BadBody> ProtobufBodies()
    {
        const BodyUse objectAndDelete = BodyUse.Object | BodyUse.Delete;
        var random = new Random(17);
        var noise = new byte[200];
        random.NextBytes(noise);
        var configMap = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-input"},"data":{"k":"v"}}""")!.AsObject());

        yield return new BadBody("pb-random-after-magic", Protobuf, [.. Magic, .. noise], objectAndDelete);
        yield return new BadBody("pb-empty", Protobuf, [], BodyUse.Object);
        yield return new BadBody("pb-magic-only", Protobuf, Magic, objectAndDelete);
        yield return Text("pb-json-text", Protobuf, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}", objectAndDelete);
        yield return new BadBody("pb-truncated", Protobuf, configMap[..(configMap.Length / 2)], objectAndDelete);
        yield return new BadBody("pb-truncated-last-byte", Protobuf, configMap[..^1], objectAndDelete);
        yield return new BadBody("pb-length-past-end", Protobuf, [.. Magic, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x0A, 0x01], objectAndDelete);
        yield return new BadBody("pb-negative-length", Protobuf, [.. Magic, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00], objectAndDelete);
        yield return new BadBody("pb-varint-overflow", Protobuf, [.. Magic, 0x08, .. Enumerable.Repeat((byte)0xFF, 11), 0x01], objectAndDelete);
        yield return new BadBody("pb-wire-type-7", Protobuf, [.. Magic, 0x0F, 0x01, 0x02], objectAndDelete);
        yield return new BadBody("pb-start-group-unclosed", Protobuf, [.. Magic, 0x0B, 0x12, 0x00], objectAndDelete);
        yield return new BadBody("pb-field-zero", Protobuf, [.. Magic, 0x02, 0x00], objectAndDelete);
        yield return new BadBody("pb-typemeta-as-varint", Protobuf, [.. Magic, 0x08, 0x05, .. Field(2, [])], objectAndDelete);
        yield return new BadBody("pb-wire-type-7-in-object", Protobuf, Envelope("v1", "ConfigMap", [0x0A, 0x00, 0x0F, 0x00]), objectAndDelete);
        yield return new BadBody("pb-map-entry-past-end", Protobuf, Envelope("v1", "ConfigMap", [0x12, 0x7F, 0x0A, 0x01, 0x61]), objectAndDelete);
        yield return new BadBody("pb-nested-groups-100000", Protobuf, Envelope("v1", "ConfigMap", [.. Enumerable.Repeat((byte)0x1B, 100_000)]), objectAndDelete);
        yield return new BadBody("pb-unknown-kind", Protobuf, Envelope("example.com/v1", "Widget", []), objectAndDelete);
        yield return new BadBody("pb-empty-kind", Protobuf, Envelope("v1", "", [.. configMap[4..]]), objectAndDelete);
        yield return new BadBody("pb-content-encoding-gzip", Protobuf, Envelope("v1", "ConfigMap", [0x0A, 0x0A, 0x0A, 0x08, .. "Bad_Name"u8], "gzip"), objectAndDelete) with { ValidationOnly = true };
        yield return new BadBody("pb-envelope-in-envelope", Protobuf, Envelope("v1", "ConfigMap", configMap), objectAndDelete);

        // Nested envelopes: a ControllerRevision whose data (RawExtension) embeds envelopes 150 deep.
        var inner = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""")!.AsObject());
        for (var i = 0; i < 150; i++)
        {
            byte[] revision = [.. Field(1, Field(1, "r"u8.ToArray())), .. Field(2, Field(1, inner)), 0x18, 0x01];
            inner = Envelope("apps/v1", "ControllerRevision", revision);
        }

        yield return new BadBody("pb-nested-envelopes-150", Protobuf, inner, objectAndDelete);
        yield return new BadBody("pb-rawextension-invalid-json", Protobuf,
            Patched("""{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"bad-input"},"data":{"k":"ZZZZZZ"},"revision":1}""", "\"ZZZZZZ\"}", "[[[[[[[[["u8.ToArray()), objectAndDelete);
        yield return new BadBody("pb-rawextension-lone-surrogate-bad-name", Protobuf,
            Patched("""{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"Bad_Name"},"data":{"k":"ZZZZZZ"},"revision":1}""", "ZZZZZZ", "\\uDDAD"u8.ToArray())) with { ValidationOnly = true };
        yield return new BadBody("pb-invalid-utf8-name", Protobuf,
            Patched("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ZZZZZ"}}""", "ZZZZZ", [0x62, 0x61, 0x64, 0xFF, 0xFE])) with { ValidationOnly = true };
        yield return new BadBody("pb-mismatched-kind-deployment", Protobuf,
            ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad-input"}}""")!.AsObject()));
        yield return new BadBody("pb-configmap-bad-name", Protobuf,
            ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"},"data":{"k":"v"}}""")!.AsObject())) with { ValidationOnly = true };
        yield return new BadBody("pb-time-out-of-range", Protobuf,
            Envelope("v1", "ConfigMap", [.. Field(1, [.. Field(1, "bad-input"u8.ToArray()), .. Field(8, [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])])]), objectAndDelete);
    }
}
