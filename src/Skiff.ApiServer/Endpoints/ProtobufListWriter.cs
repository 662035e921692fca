using System.Buffers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Protobuf;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// A protobuf list response assembled from per-item messages: the list's envelope and ListMeta encoded as the decoding
/// path encodes them (from the list without items), then one <c>items</c> field (2) per item. Every Kubernetes list
/// message is <c>{metadata = 1; repeated items = 2}</c> and protobuf encodes a repeated field as the concatenation of its
/// elements, so the body equals the decoding path's byte for byte, while each item's message is encoded once per stored
/// version and shared by every list through <see cref="WatchFrameCache"/> (issue 20 §1, upstream's cachingObject).
/// </summary>
internal static class ProtobufListWriter
{
    /// <summary>runtime.Unknown's empty contentEncoding and contentType, after the message.</summary>
    private static readonly byte[] Tail = TailBytes();

    /// <summary>
    /// The message of each item (<c>runtime.Unknown.raw</c> of <paramref name="encode"/>'s envelope): shared per stored
    /// version when the version is the watch cache's (<see cref="StoredObject.IsShared"/>), encoded for this response
    /// alone when it was read from the store (nothing else would ever see it). Null when an item does not fit its
    /// message (the caller then takes the decoding path, which reports the error).
    /// </summary>
    public static byte[][]? Messages(IReadOnlyList<KeyValue> items, EncodingVariant variant, Func<KeyValue, byte[]> encode)
    {
        var messages = new byte[items.Count][];
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                var kv = items[i];
                messages[i] = StoredObject.IsShared(kv)
                    ? WatchFrameCache.GetOrEncode(kv, variant, 0, () => Message(encode(kv)))
                    : Message(encode(kv));
            }
        }
        catch (ProtobufEncodeException)
        {
            return null;
        }

        return messages;
    }

    /// <summary>Writes <paramref name="emptyList"/> (a list object with no items) as a protobuf response with <paramref name="messages"/> as its items.</summary>
    public static async Task WriteAsync(HttpContext ctx, JsonObject emptyList, byte[][] messages, CancellationToken ct)
    {
        long items = 0;
        foreach (var m in messages)
        {
            items += 1 + ProtoWriter.VarintSize((uint)m.Length) + m.Length;
        }

        var head = Head(emptyList, items);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Negotiation.Protobuf;
        ctx.Response.ContentLength = head.Length + items + Tail.Length;
        var body = new BatchedBodyWriter(ctx.Response.BodyWriter);
        body.Write(head);
        foreach (var m in messages)
        {
            var prefix = body.GetSpan(6);
            prefix[0] = 0x12; // field 2 (items), length-delimited
            var n = 1;
            var v = (uint)m.Length;
            while (v >= 0x80)
            {
                prefix[n++] = (byte)(v | 0x80);
                v >>= 7;
            }

            prefix[n++] = (byte)v;
            body.Advance(n);
            body.Write(m);
            await body.FlushIfFullAsync(ct).ConfigureAwait(false);
        }

        body.Write(Tail);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static byte[] TailBytes()
    {
        using var w = new ProtoWriter(16);
        ProtoEnvelope.WriteTail(w);
        return w.ToArray();
    }

    /// <summary>The envelope up to the first item: prefix, type meta, the raw field's tag and length, the ListMeta.</summary>
    private static byte[] Head(JsonObject emptyList, long items)
    {
        var encoded = ProtobufCodec.Encode(emptyList);
        var envelope = ProtoEnvelope.Read(encoded);
        var raw = envelope.Raw.Length + items;
        if (raw > int.MaxValue)
        {
            throw StatusErrors.InternalError("the list is too large to encode as protobuf");
        }

        using var w = new ProtoWriter(envelope.Raw.Length + 64);
        ProtoEnvelope.WriteHead(w, envelope.Message, envelope.ApiVersion, envelope.Kind);
        w.WriteTag(2, 2);
        w.WriteVarint((ulong)raw);
        w.WriteRaw(envelope.Raw);
        return w.ToArray();
    }

    private static byte[] Message(byte[] envelope) => ProtoEnvelope.Read(envelope).Raw.ToArray();
}
