using System.Collections.Concurrent;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// The bytes gogo writes for absent values (ProtoEncoder's WriteZeroAs): "" / 0 / false scalars, and for messages every
/// non-pointer field's zero, recursively. A message's zero body depends on the schema alone and is computed once.
/// </summary>
internal static class ZeroWriter
{
    private static readonly ConcurrentDictionary<ProtoMessage, byte[]> Bodies = new();

    /// <summary>Writes what an absent optional field is written as (nothing for pointers and []byte).</summary>
    public static void WriteAbsentField(ProtoWriter writer, ProtoField field)
    {
        if (field.Inline)
        {
            WriteZeroMessage(writer, field.Number, field.Message!);
        }
        else if (field.Label == ProtoLabel.Optional && !field.Pointer && field.Type != ProtoType.Bytes)
        {
            WriteZeroAs(writer, field.Number, field);
        }
    }

    public static void WriteZeroAs(ProtoWriter writer, int number, ProtoField field)
    {
        switch (field.Type)
        {
            case ProtoType.String:
            case ProtoType.Bytes:
                writer.WriteTag(number, 2);
                writer.WriteVarint(0);
                return;
            case ProtoType.Bool:
            case ProtoType.Int32:
            case ProtoType.Int64:
                writer.WriteTag(number, 0);
                writer.WriteVarint(0);
                return;
            default:
                WriteZeroMessage(writer, number, field.Message!);
                return;
        }
    }

    public static void WriteZeroMessage(ProtoWriter writer, int number, ProtoMessage message)
    {
        var body = Bodies.GetOrAdd(message, Compute);
        writer.WriteTag(number, 2);
        writer.WriteBytes(body);
    }

    private static byte[] Compute(ProtoMessage message)
    {
        using var w = new ProtoWriter(64);
        switch (message.Special)
        {
            case SpecialType.Duration:
                w.WriteTag(1, 0);
                w.WriteVarint(0);
                break;
            case SpecialType.Quantity:
                w.WriteTag(1, 2);
                w.WriteString("0");
                break;
            case SpecialType.IntOrString:
                w.WriteTag(1, 0);
                w.WriteVarint(0);
                w.WriteTag(2, 0);
                w.WriteVarint(0);
                w.WriteTag(3, 2);
                w.WriteString(string.Empty);
                break;
            case SpecialType.None:
                foreach (var field in message.EncodeOrder)
                {
                    WriteAbsentField(w, field);
                }

                break;
        }

        return w.ToArray();
    }
}
