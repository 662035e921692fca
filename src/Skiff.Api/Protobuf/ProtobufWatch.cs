using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Frames of a protobuf watch stream (application/vnd.kubernetes.protobuf;stream=watch): each frame is a 4-byte
/// big-endian length followed by a bare metav1.WatchEvent message (no envelope) whose object.raw holds the
/// object's own "k8s\0" envelope — upstream's raw serializer plus LengthDelimitedFramer.
/// </summary>
public static class ProtobufWatch
{
    /// <summary>The largest frame <see cref="ReadEventAsync"/> accepts (upstream's framer limit is similar).</summary>
    public const int MaxFrameLength = 64 * 1024 * 1024;

    /// <summary>One whole frame: length prefix and WatchEvent.</summary>
    public static byte[] EncodeEventFrame(string type, JsonObject obj)
    {
        using var w = new ProtoWriter();
        w.WriteRaw([0, 0, 0, 0]);
        w.WriteTag(1, 2);
        w.WriteString(type);
        w.WriteTag(2, 2);
        var ext = w.BeginLength();
        w.WriteTag(1, 2);
        var raw = w.BeginLength();
        ProtobufCodec.Encode(obj, w);
        w.EndLength(raw);
        w.EndLength(ext);
        var frame = w.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - 4));
        return frame;
    }

    /// <summary>Writes one frame and flushes it.</summary>
    public static async Task WriteEventAsync(Stream stream, string type, JsonObject obj, CancellationToken ct)
    {
        var frame = EncodeEventFrame(type, obj);
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Decodes the body of one frame (the WatchEvent message, without the length prefix).</summary>
    public static ProtobufWatchEvent DecodeEvent(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new ProtoReader(body);
            string? type = null;
            JsonNode? obj = null;
            while (!reader.End)
            {
                var n = reader.ReadTag(out var wire);
                if (n is 1 or 2 && wire != 2)
                {
                    throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {n} of WatchEvent");
                }

                if (n == 1)
                {
                    type = GoFormats.Utf8(reader.ReadLengthDelimited());
                }
                else if (n == 2)
                {
                    var ext = new ProtoReader(reader.ReadLengthDelimited());
                    while (!ext.End)
                    {
                        var en = ext.ReadTag(out var ew);
                        if (en == 1 && ew == 2)
                        {
                            obj = DecodeEmbedded(ext.ReadLengthDelimited());
                        }
                        else if (en == 1)
                        {
                            throw new ProtobufDecodeException($"protobuf: wrong wire type {ew} for RawExtension.raw");
                        }
                        else
                        {
                            ext.Skip(ew, en);
                        }
                    }
                }
                else
                {
                    reader.Skip(wire, n);
                }
            }

            if (string.IsNullOrEmpty(type) || obj is not JsonObject o)
            {
                throw new ProtobufDecodeException("protobuf: watch event without a type or an object");
            }

            return new ProtobufWatchEvent(type, o);
        }
        catch (Exception e) when (e is not ProtobufDecodeException and (FormatException or InvalidOperationException or ArgumentException or OverflowException or System.Text.Json.JsonException))
        {
            throw new ProtobufDecodeException("protobuf: malformed watch event: " + e.Message, e);
        }
    }

    /// <summary>WatchEvent.object.raw: the object's own envelope (or, from JSON-speaking peers, its JSON text).</summary>
    private static JsonNode? DecodeEmbedded(ReadOnlySpan<byte> raw)
    {
        if (raw.StartsWith(ProtoDecoder.Magic))
        {
            using var buffer = new PooledBufferWriter(Math.Max(256, raw.Length * 2));
            ProtoJsonDecoder.Transcode(raw, buffer, null, null, depth: 1);
            return JsonNode.Parse(buffer.WrittenSpan, null, ProtobufCodec.ParseOptions);
        }

        if (raw.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(raw);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ProtobufDecodeException($"protobuf: embedded object is neither protobuf nor valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads the next frame; null at a clean end of stream (between frames).</summary>
    public static async Task<ProtobufWatchEvent?> ReadEventAsync(Stream stream, CancellationToken ct)
        => await ReadFrameAsync(stream, ct).ConfigureAwait(false) is { } body ? DecodeEvent(body) : null;

    /// <summary>
    /// Reads the body of the next length-prefixed frame (a WatchEvent message, see <see cref="DecodeEvent"/>); null at a
    /// clean end of stream (between frames).
    /// </summary>
    /// <exception cref="ProtobufDecodeException">The stream ends inside a frame, or a frame is over <see cref="MaxFrameLength"/>.</exception>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[4];
        var got = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            throw new ProtobufDecodeException("protobuf: watch stream ended inside a frame header");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > MaxFrameLength)
        {
            throw new ProtobufDecodeException($"protobuf: watch frame of {length} bytes is too large");
        }

        var body = new byte[length];
        if (await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false) < length)
        {
            throw new ProtobufDecodeException("protobuf: watch stream ended inside a frame");
        }

        return body;
    }
}
