using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// metav1.Time / metav1.MicroTime ⇄ DateTime (UTC), as the JSON path gives them: Time keeps whole seconds (upstream's
/// Unmarshal drops nanoseconds), MicroTime microseconds; an empty message is Go's zero time, shown as null. On encode
/// the value goes through KubernetesClient's converter rules (local/unspecified times are converted to UTC, ticks below
/// a microsecond are cut) and Go's zero time is written as an empty message.
/// </summary>
internal static class TimeConversion
{
    private const long MinSeconds = -62135596800; // 0001-01-01T00:00:00Z
    private const long MaxSeconds = 253402300799; // 9999-12-31T23:59:59Z
    private const long EpochSeconds = 62135596800; // seconds from 0001-01-01 to 1970-01-01

    public static DateTime? Read(ReadOnlySpan<byte> data, bool micro)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        ProtoReader.ReadTwoVarints(data, micro ? "MicroTime" : "Time", out var seconds, out var nanos);
        if (!micro)
        {
            nanos = 0;
        }

        seconds += Math.DivRem(nanos, 1_000_000_000L, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += 1_000_000_000L;
        }

        if (seconds < MinSeconds || seconds > MaxSeconds)
        {
            throw new ProtobufDecodeException($"protobuf: time {seconds}s is out of the supported range");
        }

        return new DateTime(((seconds + EpochSeconds) * TimeSpan.TicksPerSecond) + (rem / 1000 * 10), DateTimeKind.Utc);
    }

    public static void Write(ProtoWriter writer, int number, DateTime value, bool micro)
    {
        long utcTicks;
        try
        {
            utcTicks = value.Kind == DateTimeKind.Utc ? value.Ticks : ((DateTimeOffset)value).UtcTicks;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ProtobufEncodeException($"protobuf: time {value:o} is out of range in UTC", e);
        }

        var seconds = (utcTicks / TimeSpan.TicksPerSecond) - EpochSeconds;
        var nanos = micro ? utcTicks % TimeSpan.TicksPerSecond / 10 * 1000 : 0;
        writer.WriteTag(number, 2);
        if (seconds == MinSeconds && nanos == 0)
        {
            writer.WriteVarint(0);
            return;
        }

        var mark = writer.BeginLength();
        writer.WriteTag(1, 0);
        writer.WriteVarint((ulong)seconds);
        writer.WriteTag(2, 0);
        writer.WriteVarint((ulong)nanos);
        writer.EndLength(mark);
    }

    public static void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}

/// <summary>metav1.Time/MicroTime ⇄ DateTime?.</summary>
internal sealed class NullableTimeCodec(bool micro) : ValueCodec<DateTime?>
{
    public override int WireType => 2;

    public override DateTime? Read(ref ProtoReader reader, int depth) => TimeConversion.Read(reader.ReadLengthDelimited(), micro);

    public override void Write(ProtoWriter writer, int number, DateTime? value, int depth) => TimeConversion.Write(writer, number, value!.Value, micro);

    public override void WriteZero(ProtoWriter writer, int number) => TimeConversion.WriteZero(writer, number);
}

/// <summary>metav1.Time/MicroTime ⇄ DateTime (a null time stays DateTime.MinValue, which encodes as Go's zero time).</summary>
internal sealed class TimeCodec(bool micro) : ValueCodec<DateTime>
{
    public override int WireType => 2;

    public override DateTime Read(ref ProtoReader reader, int depth) => TimeConversion.Read(reader.ReadLengthDelimited(), micro) ?? default;

    public override void Write(ProtoWriter writer, int number, DateTime value, int depth) => TimeConversion.Write(writer, number, value, micro);

    public override void WriteZero(ProtoWriter writer, int number) => TimeConversion.WriteZero(writer, number);
}
