using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fractions;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Rest;

namespace Skiff.Client.Protobuf;

/// <summary>Reads the single-field wrapper messages (Duration, Quantity, RawExtension, FieldsV1) as the JSON path does.</summary>
internal static class Wrappers
{
    public static ReadOnlySpan<byte> ReadField1(ReadOnlySpan<byte> data, int wireType, string message, out bool has, out ulong varint)
    {
        var r = new ProtoReader(data);
        ReadOnlySpan<byte> result = default;
        has = false;
        varint = 0;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == wireType)
            {
                if (w == 0)
                {
                    varint = r.ReadVarint();
                }
                else
                {
                    result = r.ReadLengthDelimited();
                }

                has = true;
            }
            else
            {
                r.WrongOrSkip(n, w, wireType == 0 ? 2 : 1, message);
            }
        }

        return result;
    }
}

/// <summary>metav1.Duration ⇄ Go's duration text (the model's string).</summary>
internal sealed class DurationCodec : ValueCodec<string?>
{
    public static readonly DurationCodec Instance = new();

    public override int WireType => 2;

    public override bool FillsZero => true;

    public override string? Read(ref ProtoReader reader, int depth)
    {
        ProtoReader.ReadTwoVarints(reader.ReadLengthDelimited(), "Duration", out var value, out _);
        return ProtoWire.FormatDuration(value);
    }

    public override string? Zero(int depth) => "0s";

    public override void Write(ProtoWriter writer, int number, string? value, int depth)
    {
        if (!ProtoWire.TryParseDuration(value!, out var d))
        {
            throw new ProtobufEncodeException($"protobuf: \"{ProtoWire.Shorten(value!)}\" is not a duration");
        }

        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        writer.WriteTag(1, 0);
        writer.WriteVarint((ulong)d);
        writer.EndLength(mark);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        writer.WriteTag(1, 0);
        writer.WriteVarint(0);
        writer.EndLength(mark);
    }
}

/// <summary>
/// resource.Quantity ⇄ <see cref="ResourceQuantity"/>. Parsing and canonicalising a quantity is costly (fractions over
/// BigInteger), and the same few quantities ("100m", "128Mi") recur across distinct objects, so decoded quantities are
/// shared immutable instances from a bounded cache keyed by their text, and the canonical text of those shared instances
/// is remembered for encoding. Other instances are canonicalised on every encode, as the JSON path does.
/// </summary>
internal sealed class QuantityCodec : ValueCodec<ResourceQuantity?>
{
    public static readonly QuantityCodec Instance = new();

    private const int MaxCached = 4096;
    private static readonly ConcurrentDictionary<string, ResourceQuantity> ByText = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<ResourceQuantity, string> Canonical = new(ReferenceEqualityComparer.Instance);
    private const int TextSlots = 256;
    private static readonly TextEntry?[] TextTable = new TextEntry?[TextSlots];

    public override int WireType => 2;

    public override bool FillsZero => true;

    public override ResourceQuantity? Read(ref ProtoReader reader, int depth)
    {
        var data = reader.ReadLengthDelimited();
        var r = new ProtoReader(data);
        ReadOnlySpan<byte> text = default;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                text = r.ReadLengthDelimited();
            }
            else
            {
                r.WrongOrSkip(n, w, 1, "Quantity");
            }
        }

        return Parse(text.IsEmpty ? "0" : Utf8StringCache.Get(text));
    }

    public override ResourceQuantity? Zero(int depth) => Parse("0");

    public override void Write(ProtoWriter writer, int number, ResourceQuantity? value, int depth)
    {
        if (!Canonical.TryGetValue(value!, out var text))
        {
            text = CanonicalText(value!);
        }

        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        writer.WriteTag(1, 2);
        writer.WriteString(text);
        writer.EndLength(mark);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        writer.WriteTag(1, 2);
        writer.WriteString("0");
        writer.EndLength(mark);
    }

    /// <summary>
    /// The canonical text of a quantity that is not one of the shared decoded instances. The text is a function of the
    /// exact value (a fraction) and the suffix format, so it is kept in a small direct-mapped table keyed by both:
    /// equal quantities of distinct objects ("100m" in every container) are canonicalised once.
    /// </summary>
    internal static string CanonicalText(ResourceQuantity value)
    {
        var fraction = UnitlessValue(value);
        var format = value.Format;
        var slot = (int)((uint)HashCode.Combine(fraction, format) & (TextSlots - 1));
        if (Volatile.Read(ref TextTable[slot]) is { } entry && entry.Format == format && entry.Value.Equals(fraction))
        {
            return entry.Text;
        }

        var text = value.ToString();
        Volatile.Write(ref TextTable[slot], new TextEntry(fraction, format, text));
        return text;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_unitlessValue")]
    private static extern ref Fraction UnitlessValue(ResourceQuantity quantity);

    private static ResourceQuantity Parse(string text)
    {
        if (ByText.TryGetValue(text, out var cached))
        {
            return cached;
        }

        ResourceQuantity q;
        try
        {
            q = new ResourceQuantity(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ProtobufDecodeException($"protobuf: \"{ProtoWire.Shorten(text)}\" is not a quantity: {e.Message}", e);
        }

        if (ByText.Count < MaxCached)
        {
            var canonical = q.ToString();
            if (ByText.TryAdd(text, q))
            {
                Canonical.TryAdd(q, canonical);
            }
        }

        return q;
    }
}

/// <summary>A quantity's exact value and format with its canonical text.</summary>
internal sealed record TextEntry(Fraction Value, ResourceQuantity.SuffixFormat Format, string Text);

/// <summary>intstr.IntOrString ⇄ <see cref="IntOrString"/> (a number when its text parses as an integer, as
/// KubernetesClient's converter writes it).</summary>
internal sealed class IntOrStringCodec : ValueCodec<IntOrString?>
{
    public static readonly IntOrStringCodec Instance = new();

    public override int WireType => 2;

    public override bool FillsZero => true;

    public override IntOrString? Read(ref ProtoReader reader, int depth)
    {
        var r = new ProtoReader(reader.ReadLengthDelimited());
        ulong type = 0;
        var intVal = 0;
        ReadOnlySpan<byte> strVal = default;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            switch (n)
            {
                case 1 when w == 0: type = r.ReadVarint(); break;
                case 2 when w == 0: intVal = (int)r.ReadVarint(); break;
                case 3 when w == 2: strVal = r.ReadLengthDelimited(); break;
                default: r.WrongOrSkip(n, w, 3, "IntOrString"); break;
            }
        }

        return type switch
        {
            0 => (long)intVal,
            1 => Utf8StringCache.Get(strVal),
            _ => throw new ProtobufDecodeException($"protobuf: impossible IntOrString.Type {type}"),
        };
    }

    public override IntOrString? Zero(int depth) => 0L;

    public override bool IsAbsent(IntOrString? value) => value?.Value is null;

    public override void Write(ProtoWriter writer, int number, IntOrString? value, int depth)
    {
        var s = value!.Value;
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        if (long.TryParse(s, CultureInfo.CurrentCulture, out var n))
        {
            if (n is < int.MinValue or > int.MaxValue)
            {
                throw new ProtobufEncodeException($"protobuf: IntOrString {n} does not fit in int32");
            }

            WriteBody(writer, 0, (int)n, string.Empty);
        }
        else
        {
            WriteBody(writer, 1, 0, s);
        }

        writer.EndLength(mark);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        WriteBody(writer, 0, 0, string.Empty);
        writer.EndLength(mark);
    }

    private static void WriteBody(ProtoWriter writer, ulong type, int intVal, string strVal)
    {
        writer.WriteTag(1, 0);
        writer.WriteVarint(type);
        writer.WriteTag(2, 0);
        writer.WriteVarint((ulong)(long)intVal);
        writer.WriteTag(3, 2);
        writer.WriteString(strVal);
    }
}

/// <summary>
/// runtime.RawExtension / metav1.FieldsV1 ⇄ the model's <see cref="object"/>: a <see cref="JsonElement"/>, as
/// KubernetesClient's JSON deserializer gives. An embedded "k8s\0" envelope is decoded to its JSON form.
/// </summary>
internal sealed class RawCodec(string messageName) : ValueCodec<object?>
{
    public override int WireType => 2;

    public override object? Read(ref ProtoReader reader, int depth)
    {
        var raw = Wrappers.ReadField1(reader.ReadLengthDelimited(), 2, messageName, out var has, out _);
        if (!has || raw.IsEmpty)
        {
            return null;
        }

        if (ProtobufCodec.IsEnvelope(raw))
        {
            if (depth >= ProtoWire.MaxDepth)
            {
                throw new ProtobufDecodeException($"protobuf: objects nested deeper than {ProtoWire.MaxDepth} levels");
            }

            return JsonSerializer.SerializeToElement(ProtobufCodec.Decode(raw), KubernetesSerialization.Options);
        }

        return RawJson.Parse(raw);
    }

    public override bool IsAbsent(object? value) => value is null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined };

    public override void Write(ProtoWriter writer, int number, object? value, int depth)
    {
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        writer.WriteTag(1, 2);
        var json = writer.BeginLength();
        RawJson.Write(value!, writer);
        writer.EndLength(json);
        writer.EndLength(mark);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}

/// <summary>A Go named []string (ExtraValue, Verbs) ⇄ IList&lt;string&gt;.</summary>
internal sealed class StringListCodec : ValueCodec<IList<string>?>
{
    public static readonly StringListCodec Instance = new();

    public override int WireType => 2;

    public override IList<string>? Read(ref ProtoReader reader, int depth)
    {
        var list = new List<string>();
        var r = new ProtoReader(reader.ReadLengthDelimited());
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                list.Add(Utf8StringCache.Get(r.ReadLengthDelimited()));
            }
            else
            {
                r.WrongOrSkip(n, w, 1, "string list");
            }
        }

        return list;
    }

    public override bool IsZero(IList<string>? value) => value!.Count == 0;

    public override void Write(ProtoWriter writer, int number, IList<string>? value, int depth)
    {
        writer.WriteTag(number, 2);
        var mark = writer.BeginLength();
        foreach (var item in value!)
        {
            writer.WriteTag(1, 2);
            writer.WriteString(item ?? string.Empty);
        }

        writer.EndLength(mark);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}

/// <summary>A message without fields (StorageVersionSpec) ⇄ the model's <see cref="object"/>: an empty JSON object as a
/// <see cref="JsonElement"/>, as KubernetesClient's JSON deserializer gives.</summary>
internal sealed class EmptyMessageCodec(string messageName) : ValueCodec<object?>
{
    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement.Clone();

    public override int WireType => 2;

    public override bool FillsZero => true;

    public override bool IsAbsent(object? value) => value is null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined };

    public override object? Read(ref ProtoReader reader, int depth)
    {
        var r = new ProtoReader(reader.ReadLengthDelimited());
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            r.Skip(w, n);
        }

        return Empty;
    }

    public override object? Zero(int depth) => Empty;

    public override void Write(ProtoWriter writer, int number, object? value, int depth)
    {
        var isObject = value is JsonElement element
            ? element.ValueKind == JsonValueKind.Object
            : JsonSerializer.SerializeToElement(value, value!.GetType(), KubernetesSerialization.Options).ValueKind == JsonValueKind.Object;
        if (!isObject)
        {
            throw new ProtobufEncodeException($"protobuf: {messageName}: expected an object");
        }

        WriteZero(writer, number);
    }

    public override void WriteZero(ProtoWriter writer, int number)
    {
        writer.WriteTag(number, 2);
        writer.WriteVarint(0);
    }
}
