using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>string ⇄ protobuf string ("" is the zero).</summary>
internal sealed class StringCodec : ValueCodec<string?>
{
    public static readonly StringCodec Instance = new();

    public override int WireType => 2;

    public override bool FillsZero => true;

    public override string? Read(ref ProtoReader reader, int depth) => Utf8StringCache.Get(reader.ReadLengthDelimited());

    public override string? Zero(int depth) => string.Empty;

    public override bool IsZero(string? value) => value!.Length == 0;

    public override void Write(ProtoWriter writer, int number, string? value, int depth)
    {
        writer.WriteTag(number, 2);
        writer.WriteString(value!);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}

/// <summary>byte[] ⇄ protobuf bytes (absent is null; a nil []byte is not written).</summary>
internal sealed class BytesCodec : ValueCodec<byte[]?>
{
    public static readonly BytesCodec Instance = new();

    public override int WireType => 2;

    public override bool NullWritesNothing => true;

    public override byte[]? Read(ref ProtoReader reader, int depth) => reader.ReadLengthDelimited().ToArray();

    public override byte[]? MapZero(int depth) => [];

    public override bool IsZero(byte[]? value) => value!.Length == 0;

    public override void Write(ProtoWriter writer, int number, byte[]? value, int depth)
    {
        writer.WriteTag(number, 2);
        writer.WriteBytes(value);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}

/// <summary>bool ⇄ protobuf bool.</summary>
internal sealed class BoolCodec : ValueCodec<bool>
{
    public static readonly BoolCodec Instance = new();

    public override int WireType => 0;

    public override bool FillsZero => true;

    public override bool Read(ref ProtoReader reader, int depth) => reader.ReadVarint() != 0;

    public override bool IsZero(bool value) => !value;

    public override void Write(ProtoWriter writer, int number, bool value, int depth)
    {
        writer.WriteTag(number, 0);
        writer.WriteVarint(value ? 1UL : 0UL);
    }

    public override void WriteZero(ProtoWriter writer, int number) => Write(writer, number, false, 0);
}

/// <summary>bool? ⇄ protobuf bool.</summary>
internal sealed class NullableBoolCodec : ValueCodec<bool?>
{
    public static readonly NullableBoolCodec Instance = new();

    public override int WireType => 0;

    public override bool FillsZero => true;

    public override bool? Read(ref ProtoReader reader, int depth) => reader.ReadVarint() != 0;

    public override bool? Zero(int depth) => false;

    public override bool IsZero(bool? value) => value == false;

    public override void Write(ProtoWriter writer, int number, bool? value, int depth) => BoolCodec.Instance.Write(writer, number, value!.Value, depth);

    public override void WriteZero(ProtoWriter writer, int number) => BoolCodec.Instance.WriteZero(writer, number);
}

/// <summary>Integer conversions between protobuf int32/int64 and the model's int/long, as the JSON path does them.</summary>
internal static class Integers
{
    public static long Read(ref ProtoReader reader, bool is64)
    {
        var raw = reader.ReadVarint();
        return is64 ? (long)raw : (int)raw;
    }

    public static int ToInt32(long value) => value is >= int.MinValue and <= int.MaxValue
        ? (int)value
        : throw new ProtobufDecodeException($"protobuf: {value} does not fit the model's 32-bit integer");

    public static void Write(ProtoWriter writer, int number, long value, bool is64)
    {
        if (!is64 && value is < int.MinValue or > int.MaxValue)
        {
            throw new ProtobufEncodeException($"protobuf: {value} does not fit in int32 (field {number})");
        }

        writer.WriteTag(number, 0);
        writer.WriteVarint((ulong)value);
    }

    public static void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 0);
        writer.WriteVarint(0);
    }
}

/// <summary>int ⇄ protobuf int32/int64.</summary>
internal sealed class Int32Codec(bool is64) : ValueCodec<int>
{
    public override int WireType => 0;

    public override bool FillsZero => true;

    public override int Read(ref ProtoReader reader, int depth) => is64 ? Integers.ToInt32(Integers.Read(ref reader, true)) : (int)reader.ReadVarint();

    public override bool IsZero(int value) => value == 0;

    public override void Write(ProtoWriter writer, int number, int value, int depth) => Integers.Write(writer, number, value, is64);

    public override void WriteZero(ProtoWriter writer, int number) => Integers.WriteZero(writer, number);
}

/// <summary>int? ⇄ protobuf int32/int64.</summary>
internal sealed class NullableInt32Codec(bool is64) : ValueCodec<int?>
{
    public override int WireType => 0;

    public override bool FillsZero => true;

    public override int? Read(ref ProtoReader reader, int depth) => is64 ? Integers.ToInt32(Integers.Read(ref reader, true)) : (int)reader.ReadVarint();

    public override int? Zero(int depth) => 0;

    public override bool IsZero(int? value) => value == 0;

    public override void Write(ProtoWriter writer, int number, int? value, int depth) => Integers.Write(writer, number, value!.Value, is64);

    public override void WriteZero(ProtoWriter writer, int number) => Integers.WriteZero(writer, number);
}

/// <summary>long ⇄ protobuf int32/int64.</summary>
internal sealed class Int64Codec(bool is64) : ValueCodec<long>
{
    public override int WireType => 0;

    public override bool FillsZero => true;

    public override long Read(ref ProtoReader reader, int depth) => Integers.Read(ref reader, is64);

    public override bool IsZero(long value) => value == 0;

    public override void Write(ProtoWriter writer, int number, long value, int depth) => Integers.Write(writer, number, value, is64);

    public override void WriteZero(ProtoWriter writer, int number) => Integers.WriteZero(writer, number);
}

/// <summary>long? ⇄ protobuf int32/int64.</summary>
internal sealed class NullableInt64Codec(bool is64) : ValueCodec<long?>
{
    public override int WireType => 0;

    public override bool FillsZero => true;

    public override long? Read(ref ProtoReader reader, int depth) => Integers.Read(ref reader, is64);

    public override long? Zero(int depth) => 0;

    public override bool IsZero(long? value) => value == 0;

    public override void Write(ProtoWriter writer, int number, long? value, int depth) => Integers.Write(writer, number, value!.Value, is64);

    public override void WriteZero(ProtoWriter writer, int number) => Integers.WriteZero(writer, number);
}
