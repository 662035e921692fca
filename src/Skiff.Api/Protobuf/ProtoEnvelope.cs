namespace Skiff.Api.Protobuf;

/// <summary>
/// The "k8s\0" + runtime.Unknown envelope read once, for every decoder (JSON text, typed models): its type meta, the
/// message it names and the raw message bytes, with upstream's errors for a missing prefix, kind or apiVersion, a
/// content encoding, or a kind the schema does not know. Unknown envelope fields are skipped.
/// </summary>
public readonly ref struct ProtoEnvelope
{
    private ProtoEnvelope(string apiVersion, string kind, ProtoMessage message, ReadOnlySpan<byte> raw)
    {
        ApiVersion = apiVersion;
        Kind = kind;
        Message = message;
        Raw = raw;
    }

    public string ApiVersion { get; }

    public string Kind { get; }

    public ProtoMessage Message { get; }

    /// <summary>The message bytes (runtime.Unknown.raw).</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>
    /// Reads an envelope. An empty type meta (upstream writes types without TypeMeta, such as WatchEvent, that way) is
    /// taken to be <paramref name="defaultApiVersion"/>/<paramref name="defaultKind"/>.
    /// </summary>
    /// <exception cref="ProtobufDecodeException">Anything wrong with the envelope.</exception>
    public static ProtoEnvelope Read(ReadOnlySpan<byte> data, string? defaultApiVersion = null, string? defaultKind = null)
    {
        if (!data.StartsWith(ProtoDecoder.Magic))
        {
            throw new ProtobufDecodeException("protobuf: the data does not start with the \"k8s\\x00\" prefix");
        }

        var reader = new ProtoReader(data[ProtoDecoder.Magic.Length..]);
        string apiVersion = string.Empty, kind = string.Empty, encoding = string.Empty;
        ReadOnlySpan<byte> raw = default;
        while (!reader.End)
        {
            var number = reader.ReadTag(out var wire);
            if (number is >= 1 and <= 4 && wire != 2)
            {
                throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {number} of runtime.Unknown");
            }

            switch (number)
            {
                case 1:
                    ReadTypeMeta(reader.ReadLengthDelimited(), ref apiVersion, ref kind);
                    break;
                case 2:
                    raw = reader.ReadLengthDelimited();
                    break;
                case 3:
                    var ce = reader.ReadLengthDelimited();
                    encoding = ce.IsEmpty ? string.Empty : GoFormats.Utf8(ce);
                    break;
                case 4:
                    reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wire, number);
                    break;
            }
        }

        if (kind.Length == 0 && apiVersion.Length == 0)
        {
            kind = defaultKind ?? string.Empty;
            apiVersion = defaultApiVersion ?? string.Empty;
        }

        if (kind.Length == 0)
        {
            throw new ProtobufDecodeException("Object 'Kind' is missing in the protobuf envelope");
        }

        if (apiVersion.Length == 0)
        {
            throw new ProtobufDecodeException("Object 'apiVersion' is missing in the protobuf envelope");
        }

        if (encoding.Length > 0)
        {
            throw new ProtobufDecodeException($"protobuf: unsupported content encoding \"{GoFormats.Short(encoding)}\"");
        }

        if (!ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            throw new ProtobufDecodeException($"no kind \"{GoFormats.Short(kind)}\" is registered for version \"{GoFormats.Short(apiVersion)}\"");
        }

        return new ProtoEnvelope(apiVersion, kind, message, raw);
    }

    /// <summary>
    /// Writes the head of an envelope for <paramref name="message"/>: the "k8s\0" prefix and runtime.Unknown's
    /// <c>typeMeta</c> (field 1), empty for a message that is not a kind (upstream writes types without TypeMeta, such as
    /// WatchEvent, that way). The caller writes the message as <c>raw</c> (field 2), then <see cref="WriteTail"/>.
    /// </summary>
    public static void WriteHead(ProtoWriter w, ProtoMessage message, string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(message);
        w.WriteRaw(ProtoWire.Magic);
        w.WriteTag(1, 2);
        var typeMeta = w.BeginLength();
        w.WriteTag(1, 2);
        w.WriteString(message.IsKind ? apiVersion : string.Empty);
        w.WriteTag(2, 2);
        w.WriteString(message.IsKind ? kind : string.Empty);
        w.EndLength(typeMeta);
    }

    /// <summary>Writes the tail of an envelope: runtime.Unknown's empty <c>contentEncoding</c> and <c>contentType</c> (fields 3 and 4), as upstream's encoder does.</summary>
    public static void WriteTail(ProtoWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteTag(3, 2);
        w.WriteVarint(0);
        w.WriteTag(4, 2);
        w.WriteVarint(0);
    }

    private static void ReadTypeMeta(ReadOnlySpan<byte> data, ref string apiVersion, ref string kind)
    {
        var typeMeta = new ProtoReader(data);
        while (!typeMeta.End)
        {
            var n = typeMeta.ReadTag(out var w);
            if (n is 1 or 2 && w == 2)
            {
                var s = TypeMetaText(typeMeta.ReadLengthDelimited());
                if (n == 1)
                {
                    apiVersion = s;
                }
                else
                {
                    kind = s;
                }
            }
            else if (n is 1 or 2)
            {
                throw new ProtobufDecodeException($"protobuf: wrong wire type {w} for field {n} of runtime.TypeMeta");
            }
            else
            {
                typeMeta.Skip(w, n);
            }
        }
    }

    // The commonest type meta strings are shared instead of allocated per envelope.
    private static string TypeMetaText(ReadOnlySpan<byte> utf8) => utf8.Length switch
    {
        2 when utf8.SequenceEqual("v1"u8) => "v1",
        3 when utf8.SequenceEqual("Pod"u8) => "Pod",
        7 when utf8.SequenceEqual("apps/v1"u8) => "apps/v1",
        7 when utf8.SequenceEqual("PodList"u8) => "PodList",
        _ => GoFormats.Utf8(utf8),
    };
}
