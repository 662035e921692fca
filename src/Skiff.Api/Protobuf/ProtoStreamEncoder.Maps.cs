using System.Text.Json;

namespace Skiff.Api.Protobuf;

/// <summary>Maps of the streaming encoder: entries written as they come, reordered by key bytes when not sorted.</summary>
internal sealed partial class ProtoStreamEncoder
{
    private MapEntry[] _entries = new MapEntry[64];
    private int _entryTop;

    /// <summary>A map object (the reader at its StartObject) as entries sorted by key bytes (Go's sort.Strings).</summary>
    private void WriteMap(ref Utf8JsonReader r, ProtoField field, int depth)
    {
        var w = _w;
        var first = _entryTop;
        var regionStart = w.Length;
        var sorted = true;
        bool escaped = false, invalid = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var entryStart = w.Length;
            w.WriteTag(field.Number, 2);
            var mark = w.BeginLength();
            w.WriteTag(1, 2);
            int keyLength;
            if (r.ValueIsEscaped)
            {
                // The old encoder then writes and orders every key of the map by its decoded text (code point order,
                // the same as the UTF-8 bytes' order when there are no lone surrogates).
                var key = r.GetString()!;
                if (HasLoneSurrogate(key))
                {
                    throw Bail();
                }

                escaped = true;
                keyLength = System.Text.Encoding.UTF8.GetByteCount(key);
                w.WriteString(key);
            }
            else
            {
                invalid |= !_validUtf8 && !System.Text.Unicode.Utf8.IsValid(r.ValueSpan);
                keyLength = r.ValueSpan.Length;
                w.WriteBytes(r.ValueSpan);
            }

            if (!r.Read())
            {
                throw Bail();
            }

            if (r.TokenType != JsonTokenType.Null)
            {
                WriteValue(ref r, 2, field, depth);
            }
            else if (field.Type != ProtoType.Bytes)
            {
                WriteZero(2, field);
            }

            var bodyLength = w.Length - mark;
            w.EndLength(mark);
            var keyStart = w.Length - bodyLength + 1 + ProtoWriter.VarintSize((uint)keyLength);
            if (_entryTop == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            var entry = new MapEntry(keyStart, keyLength, entryStart, w.Length);
            if (sorted && _entryTop > first)
            {
                var c = CompareKeys(w.RawBuffer, _entries[_entryTop - 1], entry);
                if (c == 0)
                {
                    throw Bail(); // a duplicate key: the old encoder keeps the last
                }

                sorted = c < 0;
            }

            _entries[_entryTop++] = entry;
        }

        try
        {
            if (escaped && invalid)
            {
                throw Bail(); // the old encoder decodes every key of such a map (and fails on invalid UTF-8)
            }

            if (!sorted)
            {
                Reorder(first, regionStart);
            }
        }
        finally
        {
            _entryTop = first;
        }
    }

    private void Reorder(int first, int regionStart)
    {
        var w = _w;
        var count = _entryTop - first;
        var buffer = w.RawBuffer;
        Array.Sort(_entries, first, count, new KeyComparer(buffer));
        for (var i = first + 1; i < _entryTop; i++)
        {
            if (CompareKeys(buffer, _entries[i - 1], _entries[i]) == 0)
            {
                throw Bail();
            }
        }

        var length = w.Length - regionStart;
        var copy = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            w.WrittenSpan.Slice(regionStart, length).CopyTo(copy);
            w.Truncate(regionStart);
            for (var i = first; i < _entryTop; i++)
            {
                var e = _entries[i];
                w.WriteRaw(copy.AsSpan(e.Start - regionStart, e.End - e.Start));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static int CompareKeys(byte[] buffer, MapEntry x, MapEntry y)
        => buffer.AsSpan(x.KeyStart, x.KeyLength).SequenceCompareTo(buffer.AsSpan(y.KeyStart, y.KeyLength));

    /// <summary>One map entry written to the output: where its key bytes are, and the whole entry (tag included).</summary>
    private readonly record struct MapEntry(int KeyStart, int KeyLength, int Start, int End);

    private sealed class KeyComparer(byte[] buffer) : IComparer<MapEntry>
    {
        public int Compare(MapEntry x, MapEntry y)
        {
            var c = CompareKeys(buffer, x, y);
            return c != 0 ? c : x.Start.CompareTo(y.Start);
        }
    }
}
