namespace Skiff.Api.Protobuf;

/// <summary>A bounds-checked protobuf wire reader over a span; every malformation is a ProtobufDecodeException.</summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly bool End => _pos >= _data.Length;

    public readonly int Position => _pos;

    public ulong ReadVarint()
    {
        // Fast path: most varints (tags, small lengths and numbers) are one byte.
        var pos = _pos;
        var data = _data;
        if ((uint)pos < (uint)data.Length && data[pos] < 0x80)
        {
            _pos = pos + 1;
            return data[pos];
        }

        return ReadVarintSlow();
    }

    private ulong ReadVarintSlow()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw new ProtobufDecodeException("protobuf: unexpected end of data in a varint");
            }

            var b = _data[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtobufDecodeException("protobuf: integer overflow in a varint");
    }

    /// <summary>Reads a tag; returns the field number and sets the wire type.</summary>
    public int ReadTag(out int wireType)
    {
        var pos = _pos;
        var data = _data;
        if ((uint)pos < (uint)data.Length && data[pos] is var b and < 0x80 and >= 8)
        {
            _pos = pos + 1;
            wireType = b & 7;
            return b >> 3;
        }

        var tag = ReadVarint();
        wireType = (int)(tag & 7);
        var number = tag >> 3;
        if (number == 0 || number > int.MaxValue)
        {
            throw new ProtobufDecodeException($"protobuf: illegal field number {number}");
        }

        return (int)number;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos))
        {
            throw new ProtobufDecodeException($"protobuf: length {length} runs past the end of the data");
        }

        var span = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return span;
    }

    /// <summary>Skips a field of an unknown number, as gogo's skipGenerated does (groups included).</summary>
    public void Skip(int wireType, int number)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                ReadLengthDelimited();
                break;
            case 5:
                Advance(4);
                break;
            case 3:
                var depth = 1;
                while (depth > 0)
                {
                    var inner = ReadTag(out var innerWire);
                    if (innerWire == 3)
                    {
                        if (++depth > ProtoDecoder.MaxDepth)
                        {
                            throw new ProtobufDecodeException("protobuf: groups nested too deeply");
                        }
                    }
                    else if (innerWire == 4)
                    {
                        depth--;
                    }
                    else
                    {
                        Skip(innerWire, inner);
                    }
                }

                break;
            default:
                throw new ProtobufDecodeException($"protobuf: illegal wire type {wireType} for field {number}");
        }
    }

    private void Advance(int n)
    {
        if (_data.Length - _pos < n)
        {
            throw new ProtobufDecodeException("protobuf: unexpected end of data");
        }

        _pos += n;
    }

    /// <summary>
    /// For a field the caller does not take: one numbered up to <paramref name="maxKnown"/> has the wrong wire type
    /// (an error naming <paramref name="message"/>), anything higher is skipped like gogo skips unknown fields.
    /// </summary>
    public void WrongOrSkip(int number, int wireType, int maxKnown, string message)
    {
        if (number <= maxKnown)
        {
            throw new ProtobufDecodeException($"protobuf: wrong wire type {wireType} for field {number} of {message}");
        }

        Skip(wireType, number);
    }

    /// <summary>
    /// The two varint fields of Time, MicroTime and Duration (1: seconds or nanoseconds as int64, 2: nanos as int32),
    /// zero when absent; wrong wire types are errors naming <paramref name="message"/>.
    /// </summary>
    public static void ReadTwoVarints(ReadOnlySpan<byte> data, string message, out long first, out long second)
    {
        first = 0;
        second = 0;
        var r = new ProtoReader(data);
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n is 1 or 2 && w == 0)
            {
                var v = r.ReadVarint();
                if (n == 1)
                {
                    first = (long)v;
                }
                else
                {
                    second = (int)v;
                }
            }
            else
            {
                r.WrongOrSkip(n, w, 2, message);
            }
        }
    }
}
