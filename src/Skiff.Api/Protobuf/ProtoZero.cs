namespace Skiff.Api.Protobuf;

/// <summary>
/// What gogo writes for absent values, for every encoder (JSON text, JsonElement, typed models): the zero of a field's
/// type after its tag ("" / 0 / false, the special messages' zeros, and for other messages every non-pointer field's
/// zero, recursively). Depends on the schema alone, so each is computed once and cached on the field or message.
/// </summary>
internal static class ProtoZero
{
    /// <summary>The bytes after the tag of a zero value of <paramref name="field"/>'s (value) type.</summary>
    public static byte[] Payload(ProtoField field)
    {
        if (field.ZeroPayload is { } cached)
        {
            return cached;
        }

        byte[] payload = field.Type != ProtoType.Message ? [0] : field.Message!.Special switch
        {
            SpecialType.Duration => [2, 0x08, 0],
            SpecialType.Quantity => [3, 0x0a, 1, (byte)'0'],
            SpecialType.IntOrString => [6, 0x08, 0, 0x10, 0, 0x1a, 0],
            SpecialType.None => WithLength(Body(field.Message!)),
            _ => [0],
        };
        field.ZeroPayload = payload;
        return payload;
    }

    /// <summary>The body of <paramref name="message"/> with every field absent (what gogo writes for a zero struct).</summary>
    public static byte[] Body(ProtoMessage message)
    {
        if (message.ZeroBody is { } cached)
        {
            return cached;
        }

        using var w = new ProtoWriter(64);
        foreach (var field in message.EncodeOrder)
        {
            if (field.Inline)
            {
                w.WriteTag(field.Number, 2);
                w.WriteBytes(Body(field.Message!));
            }
            else if (IsWrittenWhenAbsent(field))
            {
                w.WriteTag(field.Number, field.WireType);
                w.WriteRaw(Payload(field));
            }
        }

        var body = w.ToArray();
        message.ZeroBody = body;
        return body;
    }

    /// <summary>Whether an absent field is written as its zero: optional, not a pointer, not []byte (nil is not written).
    /// Inline fields are always written (as their message's zero body).</summary>
    public static bool IsWrittenWhenAbsent(ProtoField field)
        => field.Label == ProtoLabel.Optional && !field.Pointer && field.Type != ProtoType.Bytes;

    /// <summary>Writes <paramref name="number"/>'s tag and the zero of <paramref name="field"/>'s type.</summary>
    public static void Write(ProtoWriter writer, int number, ProtoField field)
    {
        writer.WriteTag(number, field.WireType);
        writer.WriteRaw(Payload(field));
    }

    private static byte[] WithLength(byte[] body)
    {
        using var w = new ProtoWriter(body.Length + 8);
        w.WriteBytes(body);
        return w.ToArray();
    }
}
