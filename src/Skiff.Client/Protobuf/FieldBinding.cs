using System.Buffers;
using System.Runtime.CompilerServices;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>One schema field bound to a model property (or to nothing): reads wire values into the model and writes
/// them back, with the JSON path's presence and zero rules.</summary>
internal abstract class FieldBinding(ProtoField field, ProtoMessage message)
{
    public ProtoField Field { get; } = field;

    /// <summary>The field's index in its message (its bit in the presence mask).</summary>
    public int Index { get; } = field.Index;

    /// <summary>Whether the field is a Go inline field (decoded by the binder, not by <see cref="Read"/>).</summary>
    public bool IsInline { get; } = field.Inline;

    public ProtoMessage Message { get; } = message;

    /// <summary>Whether an absent field must be given a zero value after decoding.</summary>
    public virtual bool Fills => false;

    /// <summary>Reads one occurrence (tag already read). <paramref name="seen"/>: an earlier occurrence was read.</summary>
    public abstract void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth);

    public virtual void Fill(object target, int depth)
    {
    }

    /// <summary>Writes the field of <paramref name="source"/> (null: every property absent).</summary>
    public abstract void Write(object? source, ProtoWriter writer, int depth);

    /// <summary>Gives an absent repeated field an empty list (list kinds' items).</summary>
    public virtual void EnsureList(object target)
    {
    }

    protected ProtobufDecodeException WrongWire(int wire)
        => new($"protobuf: wrong wire type {wire} for field {Field.JsonName} ({Field.Number}) of {Message.Name}");
}

/// <summary>A schema field the model has no property for: skipped on decode, written as its zero on encode.</summary>
internal sealed class UnboundField(ProtoField field, ProtoMessage message) : FieldBinding(field, message)
{
    public override void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth) => reader.Skip(wire, Field.Number);

    public override void Write(object? source, ProtoWriter writer, int depth) => ZeroWriter.WriteAbsentField(writer, Field);
}

/// <summary>A Go inline field: the nested message's fields are properties of the same model object.</summary>
internal sealed class InlineField(ProtoField field, ProtoMessage message, ModelBinder nested) : FieldBinding(field, message)
{
    public ModelBinder Nested { get; } = nested;

    public override void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth)
        => throw new InvalidOperationException("inline fields are decoded by their binder");

    public override void Write(object? source, ProtoWriter writer, int depth) => Nested.EncodeNested(source, writer, Field.Number, depth + 1);
}

/// <summary>An optional (singular) field ⇄ a property of type <typeparamref name="T"/>.</summary>
internal sealed class OptionalField<TOwner, T> : FieldBinding
    where TOwner : class
{
    private readonly ValueCodec<T> _codec;
    private readonly Func<TOwner, T> _get;
    private readonly Action<TOwner, T> _set;
    private readonly bool _omitZero;
    private readonly bool _fills;
    private readonly bool _writeZero;
    private readonly int _wire;
    private readonly int _number;

    public OptionalField(ProtoField field, ProtoMessage message, ValueCodec<T> codec, Func<TOwner, T> get, Action<TOwner, T> set)
        : base(field, message)
    {
        _codec = codec;
        _get = get;
        _set = set;
        _omitZero = field.OmitEmpty && !field.Pointer;
        _fills = !field.Pointer && !field.OmitEmpty && codec.FillsZero;
        _writeZero = !field.Pointer && !codec.NullWritesNothing;
        _wire = field.WireType;
        _number = field.Number;
    }

    public override bool Fills => _fills;

    public override void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth)
    {
        if (wire != _wire)
        {
            throw WrongWire(wire);
        }

        var value = _codec.Read(ref reader, depth);
        if (_omitZero && _codec.IsZero(value))
        {
            value = default!;
        }

        _set(Unsafe.As<TOwner>(target), value);
    }

    public override void Fill(object target, int depth) => _set(Unsafe.As<TOwner>(target), _codec.Zero(depth));

    public override void Write(object? source, ProtoWriter writer, int depth)
    {
        if (source is not null)
        {
            var value = _get(Unsafe.As<TOwner>(source));
            if (!_codec.IsAbsent(value))
            {
                _codec.Write(writer, _number, value, depth);
                return;
            }
        }

        if (_writeZero)
        {
            _codec.WriteZero(writer, _number);
        }
    }
}

/// <summary>A repeated field ⇄ an IList&lt;<typeparamref name="T"/>&gt; property (a <see cref="List{T}"/>, as
/// System.Text.Json creates).</summary>
internal sealed class RepeatedField<TOwner, T> : FieldBinding
    where TOwner : class
{
    private readonly ValueCodec<T> _codec;
    private readonly Func<TOwner, IList<T>?> _get;
    private readonly Action<TOwner, IList<T>?> _set;
    private readonly int _wire;
    private readonly int _number;

    public RepeatedField(ProtoField field, ProtoMessage message, ValueCodec<T> codec, Func<TOwner, IList<T>?> get, Action<TOwner, IList<T>?> set)
        : base(field, message)
    {
        _codec = codec;
        _get = get;
        _set = set;
        _wire = field.WireType;
        _number = field.Number;
    }

    public override void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth)
    {
        var owner = Unsafe.As<TOwner>(target);
        List<T> list;
        if (seen && _get(owner) is List<T> existing)
        {
            list = existing;
        }
        else
        {
            list = [];
            _set(owner, list);
        }

        if (wire == 2 && _wire == 0)
        {
            var packed = new ProtoReader(reader.ReadLengthDelimited());
            while (!packed.End)
            {
                list.Add(_codec.Read(ref packed, depth));
            }

            return;
        }

        if (wire != _wire)
        {
            throw WrongWire(wire);
        }

        list.Add(_codec.Read(ref reader, depth));
    }

    public override void EnsureList(object target)
    {
        var owner = Unsafe.As<TOwner>(target);
        if (_get(owner) is null)
        {
            _set(owner, new List<T>());
        }
    }

    public override void Write(object? source, ProtoWriter writer, int depth)
    {
        if (source is null || _get(Unsafe.As<TOwner>(source)) is not { } items)
        {
            return;
        }

        if (items is List<T> list)
        {
            foreach (var item in list)
            {
                WriteItem(item, writer, depth);
            }

            return;
        }

        foreach (var item in items)
        {
            WriteItem(item, writer, depth);
        }
    }

    private void WriteItem(T item, ProtoWriter writer, int depth)
    {
        if (_codec.IsAbsent(item))
        {
            _codec.WriteZero(writer, _number);
        }
        else
        {
            _codec.Write(writer, _number, item, depth);
        }
    }
}

/// <summary>A map field ⇄ an IDictionary&lt;string, <typeparamref name="T"/>&gt; property (a <see cref="Dictionary{TKey, TValue}"/>);
/// entries are written sorted by key, as gogo does.</summary>
internal sealed class MapField<TOwner, T> : FieldBinding
    where TOwner : class
{
    private readonly ValueCodec<T> _codec;
    private readonly Func<TOwner, IDictionary<string, T>?> _get;
    private readonly Action<TOwner, IDictionary<string, T>?> _set;
    private readonly int _valueWire;
    private readonly int _number;

    public MapField(ProtoField field, ProtoMessage message, ValueCodec<T> codec, Func<TOwner, IDictionary<string, T>?> get, Action<TOwner, IDictionary<string, T>?> set)
        : base(field, message)
    {
        _codec = codec;
        _get = get;
        _set = set;
        _valueWire = codec.WireType;
        _number = field.Number;
    }

    public override void Read(ref ProtoReader reader, object target, int wire, bool seen, int depth)
    {
        if (_valueWire != 2 || wire != 2)
        {
            throw new ProtobufDecodeException($"protobuf: wrong wire type {wire} for map field {Field.JsonName} of {Message.Name}");
        }

        var owner = Unsafe.As<TOwner>(target);
        Dictionary<string, T> map;
        if (seen && _get(owner) is Dictionary<string, T> existing)
        {
            map = existing;
        }
        else
        {
            map = [];
            _set(owner, map);
        }

        var r = new ProtoReader(reader.ReadLengthDelimited());
        var key = string.Empty;
        T value = default!;
        var hasValue = false;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                key = Utf8StringCache.Get(r.ReadLengthDelimited());
            }
            else if (n == 2 && w == _valueWire)
            {
                value = _codec.Read(ref r, depth);
                hasValue = true;
            }
            else
            {
                r.WrongOrSkip(n, w, 2, "map entry " + Field.JsonName);
            }
        }

        map[key] = hasValue ? value : _codec.MapZero(depth);
    }

    public override void Write(object? source, ProtoWriter writer, int depth)
    {
        if (source is null || _get(Unsafe.As<TOwner>(source)) is not { Count: > 0 } map)
        {
            return;
        }

        var count = map.Count;
        var entries = ArrayPool<KeyValuePair<string, T>>.Shared.Rent(count);
        try
        {
            var n = 0;
            if (map is Dictionary<string, T> dictionary)
            {
                foreach (var kv in dictionary)
                {
                    entries[n++] = kv;
                }
            }
            else
            {
                foreach (var kv in map)
                {
                    entries[n++] = kv;
                }
            }

            if (n > 1)
            {
                Array.Sort(entries, 0, n, KeyComparer.Instance);
            }

            for (var i = 0; i < n; i++)
            {
                var (key, value) = entries[i];
                writer.WriteTag(_number, 2);
                var mark = writer.BeginLength();
                writer.WriteTag(1, 2);
                writer.WriteString(key);
                if (!_codec.IsAbsent(value))
                {
                    _codec.Write(writer, 2, value, depth);
                }
                else if (!_codec.NullWritesNothing)
                {
                    _codec.WriteZero(writer, 2);
                }

                writer.EndLength(mark);
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, T>>.Shared.Return(entries, clearArray: true);
        }
    }

    private sealed class KeyComparer : IComparer<KeyValuePair<string, T>>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(KeyValuePair<string, T> x, KeyValuePair<string, T> y) => ProtoWire.CompareUtf8(x.Key, y.Key);
    }
}
