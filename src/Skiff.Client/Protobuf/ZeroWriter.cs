using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// The bytes gogo writes for absent values, as the JSON path's encoders write them: tags around Skiff.Api's
/// <see cref="ProtoZero"/> (one definition of every zero, computed once per field and message).
/// </summary>
internal static class ZeroWriter
{
    /// <summary>Writes what an absent optional field is written as (nothing for pointers and []byte).</summary>
    public static void WriteAbsentField(ProtoWriter writer, ProtoField field)
    {
        if (field.Inline)
        {
            WriteZeroMessage(writer, field.Number, field.Message!);
        }
        else if (ProtoWire.IsZeroWrittenWhenAbsent(field))
        {
            WriteZeroAs(writer, field.Number, field);
        }
    }

    public static void WriteZeroAs(ProtoWriter writer, int number, ProtoField field) => ProtoWire.WriteZero(writer, number, field);

    public static void WriteZeroMessage(ProtoWriter writer, int number, ProtoMessage message)
    {
        writer.WriteTag(number, 2);
        writer.WriteBytes(ProtoWire.ZeroBody(message));
    }
}
