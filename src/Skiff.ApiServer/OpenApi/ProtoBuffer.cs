using System.Buffers.Binary;
using System.Text;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// A minimal protobuf (proto3) encoder into one growing buffer: scalar fields (omitted when they hold their default,
/// as proto3 does), and nested messages opened with <see cref="Begin"/> and closed with <see cref="End"/> (the body is
/// written in place and shifted once its length is known, so the encoding is canonical: minimal varints, fields in
/// the order written).
/// </summary>
internal sealed class ProtoBuffer
{
    private readonly Stack<int> _open = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    /// <summary>The encoded bytes; every <see cref="Begin"/> must have been closed.</summary>
    public byte[] ToArray()
    {
        if (_open.Count != 0)
        {
            throw new InvalidOperationException("unclosed nested message");
        }

        return _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>A string field (length-delimited); empty strings are omitted.</summary>
    public void String(int field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            RepeatedString(field, value);
        }
    }

    /// <summary>One element of a repeated string field (written even when empty).</summary>
    public void RepeatedString(int field, string value)
    {
        Tag(field, 2);
        var count = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)count);
        Ensure(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>A bool field; false is omitted.</summary>
    public void Bool(int field, bool value)
    {
        if (value)
        {
            Tag(field, 0);
            Varint(1);
        }
    }

    /// <summary>A bool field written even when false (a oneof member is present whatever its value).</summary>
    public void BoolAlways(int field, bool value)
    {
        Tag(field, 0);
        Varint(value ? 1UL : 0UL);
    }

    /// <summary>An int64 field (varint, two's complement for negatives); zero is omitted.</summary>
    public void Int64(int field, long value)
    {
        if (value != 0)
        {
            Tag(field, 0);
            Varint(unchecked((ulong)value));
        }
    }

    /// <summary>A double field (fixed64); zero is omitted.</summary>
    public void Double(int field, double value)
    {
        if (value != 0)
        {
            Tag(field, 1);
            Ensure(8);
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
            _length += 8;
        }
    }

    /// <summary>Opens a nested message field; close it with <see cref="End"/>. An empty message is still written.</summary>
    public void Begin(int field)
    {
        Tag(field, 2);
        _open.Push(_length);
    }

    /// <summary>Closes the innermost nested message, inserting its length prefix.</summary>
    public void End()
    {
        var start = _open.Pop();
        var size = _length - start;
        var prefix = VarintSize((ulong)size);
        Ensure(prefix);
        Buffer.BlockCopy(_buffer, start, _buffer, start + prefix, size);
        var at = start;
        var v = (ulong)size;
        while (v >= 0x80)
        {
            _buffer[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        _buffer[at] = (byte)v;
        _length += prefix;
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong v)
    {
        Ensure(10);
        while (v >= 0x80)
        {
            _buffer[_length++] = (byte)(v | 0x80);
            v >>= 7;
        }

        _buffer[_length++] = (byte)v;
    }

    private static int VarintSize(ulong v)
    {
        var n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }

        return n;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
