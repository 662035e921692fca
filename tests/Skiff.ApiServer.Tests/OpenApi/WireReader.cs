using System.Buffers.Binary;
using System.Text;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>
/// A generic protobuf wire-format reader written for the tests, independent of the product's encoder: splits a
/// message into (field number, wire type, value) triples and rejects malformed input.
/// </summary>
internal static class WireReader
{
    /// <summary>One field of a message: a varint, a fixed64, or length-delimited bytes.</summary>
    public sealed record Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes.Span);

        public double Double => BitConverter.Int64BitsToDouble((long)Varint);
    }

    public static List<Field> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        var at = 0;
        while (at < span.Length)
        {
            var key = ReadVarint(span, ref at);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            if (number <= 0)
            {
                throw new FormatException("field number 0");
            }

            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(span, ref at), default));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(at, 8)), default));
                    at += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(span, ref at));
                    if (at + length > span.Length)
                    {
                        throw new FormatException("length past the end");
                    }

                    fields.Add(new Field(number, wire, 0, message.Slice(at, length)));
                    at += length;
                    break;
                default:
                    throw new FormatException($"unexpected wire type {wire}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = span[at++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new FormatException("varint too long");
    }
}
