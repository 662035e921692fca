using System.Buffers;
using System.Text;

namespace Skiff.Api.Protobuf;

/// <summary>
/// A growable protobuf wire writer. Nested messages reserve one length byte and are shifted when the length
/// needs more, so a message is written in one pass without computing sizes first.
/// </summary>
internal sealed class ProtoWriter : IDisposable, IBufferWriter<byte>
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
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            Ensure(max + 1);
            var n = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_pos + 1));
            _buffer[_pos] = (byte)n;
            _pos += n + 1;
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        Ensure(count);
        _pos += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_pos));
    }

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

        var size = 1;
        for (var v = (uint)length >> 7; v != 0; v >>= 7)
        {
            size++;
        }

        Ensure(size - 1);
        Buffer.BlockCopy(_buffer, mark, _buffer, mark + size - 1, length);
        var p = mark - 1;
        var value = (uint)length;
        while (value >= 0x80)
        {
            _buffer[p++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[p] = (byte)value;
        _pos += size - 1;
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
