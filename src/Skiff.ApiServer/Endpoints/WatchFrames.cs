using System.Buffers;
using System.Text;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;

namespace Skiff.ApiServer.Endpoints;

/// <summary>Watch frames written from stored bytes, without decoding the object.</summary>
internal static class WatchFrames
{
    /// <summary>
    /// The JSON watch line <c>{"type":T,"object":O}\n</c> whose object is <paramref name="kv"/>'s stored bytes with
    /// <paramref name="revision"/> spliced in: the bytes that serializing the decoded event would produce.
    /// </summary>
    public static byte[] Json(string type, StoredObject scanned, KeyValue kv, long revision)
    {
        var buffer = new ArrayBufferWriter<byte>(kv.Value.Length + 64);
        Put(buffer, "{\"type\":\""u8);
        var typeBytes = buffer.GetSpan(type.Length);
        var n = Encoding.ASCII.GetBytes(type, typeBytes);
        buffer.Advance(n);
        Put(buffer, "\",\"object\":"u8);
        scanned.WriteTo(buffer, kv.Value.Span, revision, dropTypeMeta: false);
        Put(buffer, "}\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The length-prefixed protobuf WatchEvent frame of <paramref name="kv"/> at <paramref name="revision"/>: the spliced
    /// JSON transcoded in one pass (<see cref="Skiff.Api.Protobuf.ProtobufCodec.EncodeJson(ReadOnlySpan{byte})"/>), no
    /// object tree; null when the kind has no protobuf form or a value does not fit it (the caller then decodes).
    /// </summary>
    public static byte[]? Protobuf(string type, StoredObject scanned, KeyValue kv, long revision)
    {
        byte[] envelope;
        try
        {
            envelope = Skiff.Api.Protobuf.ProtobufCodec.EncodeJson(scanned.ToBytes(kv, revision, dropTypeMeta: false));
        }
        catch (Skiff.Api.Protobuf.ProtobufEncodeException)
        {
            return null;
        }

        // WatchEvent { 1: type, 2: RawExtension { 1: raw } }, after a 4-byte big-endian length.
        var typeLength = Encoding.ASCII.GetByteCount(type);
        var ext = 1 + VarintLength(envelope.Length) + envelope.Length;
        var body = 1 + VarintLength(typeLength) + typeLength + 1 + VarintLength(ext) + ext;
        var frame = new byte[4 + body];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body);
        var at = 4;
        frame[at++] = (1 << 3) | 2;
        at = PutVarint(frame, at, typeLength);
        at += Encoding.ASCII.GetBytes(type, frame.AsSpan(at));
        frame[at++] = (2 << 3) | 2;
        at = PutVarint(frame, at, ext);
        frame[at++] = (1 << 3) | 2;
        at = PutVarint(frame, at, envelope.Length);
        envelope.CopyTo(frame.AsSpan(at));
        return frame;
    }

    private static int VarintLength(int n)
    {
        var length = 1;
        for (var v = (uint)n; v >= 0x80; v >>= 7)
        {
            length++;
        }

        return length;
    }

    private static int PutVarint(byte[] into, int at, int n)
    {
        var v = (uint)n;
        while (v >= 0x80)
        {
            into[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        into[at++] = (byte)v;
        return at;
    }

    private static void Put(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }
}
