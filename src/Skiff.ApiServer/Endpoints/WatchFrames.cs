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

    private static void Put(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }
}
