using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// A protobuf message bound to a model type: each schema field to the property whose JSON name it has (or to nothing),
/// built once by <see cref="ModelBinders"/>. Decoding follows ProtoDecoder's rules (last occurrence wins, repeated
/// occurrences append, absent non-pointer fields get their zero, omitempty zeros stay null); encoding follows
/// ProtoEncoder's (number order, absent non-pointer fields written as zero).
/// </summary>
internal sealed class ModelBinder
{
    private FieldBinding?[] _byIndex = [];
    private FieldBinding[] _encodeOrder = [];
    private FieldBinding[] _fills = [];
    private InlineField[] _inline = [];
    private ulong _fillMask;
    private FieldBinding?[] _byNumber = [];
    private int _sizeHint = 1;

    public ModelBinder(ProtoMessage message, Type type, Func<object> factory)
    {
        Message = message;
        Type = type;
        Create = factory;
    }

    public ProtoMessage Message { get; }

    public Type Type { get; }

    /// <summary>A new, empty model object.</summary>
    public Func<object> Create { get; }

    /// <summary>The binding of the repeated "items" field, if the model has one.</summary>
    public FieldBinding? Items { get; private set; }

    internal void SetFields(FieldBinding?[] byIndex)
    {
        _byIndex = byIndex;
        _encodeOrder = [.. Message.EncodeOrder.Select(f => byIndex[f.Index]!)];
        _fills = [.. byIndex.Where(b => b is { Fills: true })!];
        _inline = [.. byIndex.OfType<InlineField>()];
        _fillMask = 0;
        foreach (var b in _fills)
        {
            _fillMask |= 1UL << b.Field.Index;
        }

        foreach (var f in _inline)
        {
            _fillMask |= 1UL << f.Field.Index;
        }

        var maxNumber = Message.Fields.Length == 0 ? 0 : Message.Fields.Max(f => f.Number);
        if (maxNumber <= 1024)
        {
            _byNumber = new FieldBinding?[maxNumber + 1];
            foreach (var f in Message.Fields)
            {
                _byNumber[f.Number] = byIndex[f.Index];
            }
        }

        Items = byIndex.FirstOrDefault(b => b is { Field: { JsonName: "items", Label: ProtoLabel.Repeated } } and not UnboundField);
    }

    /// <summary>Decodes a message body into <paramref name="target"/> (a fresh object of <see cref="Type"/>).</summary>
    public void Decode(ReadOnlySpan<byte> data, object target, int depth)
    {
        if (depth > ProtoWire.MaxDepth)
        {
            throw new ProtobufDecodeException($"protobuf: objects nested deeper than {ProtoWire.MaxDepth} levels");
        }

        var byNumber = _byNumber;
        Span<(int Start, int Length)> inline = _inline.Length == 0 ? default : stackalloc (int, int)[_byIndex.Length];
        var present = 0UL;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var number = reader.ReadTag(out var wire);
            var binding = (uint)number < (uint)byNumber.Length ? byNumber[number] : Lookup(number);
            if (binding is null)
            {
                reader.Skip(wire, number);
                continue;
            }

            var field = binding.Field;
            var i = binding.Index;
            var bit = 1UL << i;
            if (binding.IsInline)
            {
                if (wire != 2)
                {
                    throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for field {field.JsonName} ({field.Number}) of {Message.Name}");
                }

                var span = reader.ReadLengthDelimited();
                inline[i] = (reader.Position - span.Length, span.Length);
            }
            else
            {
                binding.Read(ref reader, target, wire, (present & bit) != 0, depth);
            }

            present |= bit;
        }

        if ((present & _fillMask) != _fillMask)
        {
            foreach (var b in _fills)
            {
                if ((present & (1UL << b.Field.Index)) == 0)
                {
                    b.Fill(target, depth);
                }
            }
        }

        foreach (var f in _inline)
        {
            var i = f.Field.Index;
            var (start, length) = (present & (1UL << i)) != 0 ? inline[i] : (0, 0);
            f.Nested.Decode(data.Slice(start, length), target, depth + 1);
        }
    }

    /// <summary>The varint size of the length of the last body of this message written (a guess for the next).</summary>
    public int LengthReserve => _sizeHint;

    /// <summary>Records the length of a body written, for <see cref="LengthReserve"/>.</summary>
    public void WroteLength(int length)
    {
        var size = ProtoWriter.VarintSize((uint)length);
        if (size != _sizeHint)
        {
            _sizeHint = size;
        }
    }

    /// <summary>Writes tag, length and the fields of <paramref name="source"/> as a nested message.</summary>
    public void EncodeNested(object? source, ProtoWriter writer, int number, int depth)
    {
        writer.WriteTag(number, 2);
        var reserve = _sizeHint;
        var mark = writer.BeginLength(reserve);
        Encode(source, writer, depth);
        WroteLength(writer.EndLength(mark, reserve));
    }

    /// <summary>Encodes the fields of <paramref name="source"/> (null: all absent) in field-number order.</summary>
    public void Encode(object? source, ProtoWriter writer, int depth)
    {
        if (depth > ProtoWire.MaxDepth)
        {
            throw new ProtobufEncodeException($"protobuf: objects nested deeper than {ProtoWire.MaxDepth} levels");
        }

        foreach (var b in _encodeOrder)
        {
            b.Write(source, writer, depth);
        }
    }

    private FieldBinding? Lookup(int number) => Message.FieldByNumber(number) is { } f ? _byIndex[f.Index] : null;

    public override string ToString() => $"{Message.Name} ⇄ {Type.Name}";
}
