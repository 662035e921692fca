using System.Text;

namespace Skiff.Api.Protobuf;

/// <summary>
/// A message's JSON property names (the fields of inline messages included, as they appear in the parent object)
/// looked up by their UTF-8 bytes without allocating, each mapped to a slot: the message's fields in declaration
/// order, an inline field's slots being its message's own slots in place.
/// </summary>
internal sealed class ProtoNameTable
{
    private readonly byte[]?[] _keys;
    private readonly int[] _values;
    private readonly int _mask;

    private ProtoNameTable(ProtoMessage message)
    {
        SlotOf = new int[message.Fields.Length];
        var names = new List<(byte[] Name, int Slot)>();
        var slot = 0;
        foreach (var field in message.Fields)
        {
            SlotOf[field.Index] = slot;
            if (field.Inline)
            {
                var inner = For(field.Message!);
                foreach (var (name, innerSlot) in inner.Names)
                {
                    names.Add((name, slot + innerSlot));
                }

                slot += inner.SlotCount;
            }
            else
            {
                names.Add((Encoding.UTF8.GetBytes(field.JsonName), slot));
                slot++;
            }
        }

        SlotCount = slot;
        Names = names;
        var size = 16;
        while (size < names.Count * 4)
        {
            size *= 2;
        }

        _keys = new byte[size][];
        _values = new int[size];
        _mask = size - 1;
        foreach (var (name, s) in names)
        {
            var i = Hash(name) & _mask;
            while (_keys[i] is { } existing)
            {
                if (existing.AsSpan().SequenceEqual(name))
                {
                    throw new InvalidOperationException($"{message.Name}: JSON name {Encoding.UTF8.GetString(name)} appears twice");
                }

                i = (i + 1) & _mask;
            }

            _keys[i] = name;
            _values[i] = s;
        }
    }

    /// <summary>Number of slots (non-inline fields, recursively through inline fields).</summary>
    public int SlotCount { get; }

    /// <summary>By field index: the field's slot, or for an inline field the first slot of its message.</summary>
    public int[] SlotOf { get; }

    /// <summary>Every name with its slot.</summary>
    public IReadOnlyList<(byte[] Name, int Slot)> Names { get; }

    public static ProtoNameTable For(ProtoMessage message) => message.NameTable ??= new ProtoNameTable(message);

    /// <summary>The slot of a property name, or -1 for a name that is not a field.</summary>
    public int Find(ReadOnlySpan<byte> name)
    {
        var i = Hash(name) & _mask;
        while (_keys[i] is { } key)
        {
            if (name.SequenceEqual(key))
            {
                return _values[i];
            }

            i = (i + 1) & _mask;
        }

        return -1;
    }

    // A few words of the name (its first and last eight bytes and its length) rather than every byte: JSON names are
    // short and mostly differ at their ends, and this is on the encoders' hot path.
    private static int Hash(ReadOnlySpan<byte> name)
    {
        ulong a, b;
        var n = name.Length;
        if (n >= 8)
        {
            a = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(name);
            b = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(name[(n - 8)..]);
        }
        else if (n >= 4)
        {
            a = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(name);
            b = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(name[(n - 4)..]);
        }
        else
        {
            a = n == 0 ? 0UL : name[0] | ((ulong)name[n - 1] << 8) | ((ulong)name[n / 2] << 16);
            b = 0;
        }

        var h = ((a * 0x9E3779B97F4A7C15UL) ^ (b * 0xC2B2AE3D27D4EB4FUL)) + (ulong)n;
        return (int)((h >> 32) ^ (h >> 7));
    }
}
