using System.Buffers;
using System.Text;

namespace Skiff.Api.Protobuf;

/// <summary>
/// A growable protobuf wire writer. Nested messages reserve one length byte and are shifted when the length
/// needs more, so a message is written in one pass without computing sizes first.
/// </summary>
public sealed class ProtoWriter : IDisposable, IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _pos;

    public ProtoWriter(int capacity = 4096) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length => _pos;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _pos);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    public void WriteTag(int number, int wireType) => WriteVarint(((ulong)(uint)number << 3) | (uint)wireType);

    public void WriteVarint(ulong value)
    {
        if (value < 0x80 && _pos < _buffer.Length)
        {
            _buffer[_pos++] = (byte)value;
            return;
        }

        Ensure(10);
        var buffer = _buffer;
        while (value >= 0x80)
        {
            buffer[_pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[_pos++] = (byte)value;
    }

    public void WriteString(string value)
    {
        // One pass: reserve the length's varint for the shortest possible UTF-8 form (one byte per char), encode into
        // place, and move the bytes up in the rare case the UTF-8 length needs a longer varint.
        var reserve = VarintSize((uint)value.Length);
        Ensure(reserve + Encoding.UTF8.GetMaxByteCount(value.Length));
        var start = _pos + reserve;
        var n = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(start));
        var size = VarintSize((uint)n);
        if (size != reserve)
        {
            Buffer.BlockCopy(_buffer, start, _buffer, start + size - reserve, n);
        }

        WriteVarintAt(_pos, (uint)n);
        _pos += size + n;
    }

    /// <summary>The number of bytes of a varint.</summary>
    public static int VarintSize(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        WriteRaw(value);
    }

    /// <summary>Starts a length-delimited body (after its tag); returns the mark to pass to <see cref="EndLength"/>.</summary>
    public int BeginLength()
    {
        Ensure(1);
        _pos++;
        return _pos;
    }

    public void EndLength(int mark)
    {
        var length = _pos - mark;
        if (length < 0x80)
        {
            _buffer[mark - 1] = (byte)length;
            return;
        }

        EndLength(mark, 1);
    }

    /// <summary>
    /// Starts a length-delimited body with <paramref name="reserve"/> bytes (1..5) kept for its length, the varint size
    /// of the length expected (say, the size of the previous message of the same type), so that
    /// <see cref="EndLength(int, int)"/> need not move the body. Returns the mark.
    /// </summary>
    public int BeginLength(int reserve)
    {
        Ensure(reserve);
        _pos += reserve;
        return _pos;
    }

    /// <summary>Ends a body begun with <see cref="BeginLength(int)"/>; returns its length.</summary>
    public int EndLength(int mark, int reserved)
    {
        var length = _pos - mark;
        var size = VarintSize((uint)length);
        if (size != reserved)
        {
            if (size > reserved)
            {
                Ensure(size - reserved);
            }

            Buffer.BlockCopy(_buffer, mark, _buffer, mark + size - reserved, length);
            _pos += size - reserved;
        }

        WriteVarintAt(mark - reserved, (uint)length);
        return length;
    }

    private void WriteVarintAt(int p, uint value)
    {
        var buffer = _buffer;
        while (value >= 0x80)
        {
            buffer[p++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[p] = (byte)value;
    }

    /// <summary>IBufferWriter: lets a Utf8JsonWriter write embedded JSON straight into the message.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 16));
        return _buffer.AsSpan(_pos);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 16));
        return _buffer.AsMemory(_pos);
    }

    public void Advance(int count)
    {
        if (count < 0 || _pos + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _pos += count;
    }

    /// <summary>The underlying buffer (valid until the next write that grows it).</summary>
    internal byte[] RawBuffer => _buffer;

    /// <summary>Drops everything written after <paramref name="length"/> bytes.</summary>
    internal void Truncate(int length)
    {
        if ((uint)length > (uint)_pos)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        _pos = length;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _pos).ToArray();

    private void Ensure(int extra)
    {
        if (_buffer.Length - _pos >= extra)
        {
            return;
        }

        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _pos + extra));
        _buffer.AsSpan(0, _pos).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
