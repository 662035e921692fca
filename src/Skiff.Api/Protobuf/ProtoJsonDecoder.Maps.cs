using System.Buffers;
using System.Text.Unicode;

namespace Skiff.Api.Protobuf;

/// <summary>Map fields: entries sorted by key bytes like Go's encoding/json sorts map keys; of equal keys the
/// last entry on the wire wins (Go map assignment).</summary>
internal sealed partial class ProtoJsonDecoder
{
    private void WriteMap(ReadOnlySpan<byte> data, int from, int count, ProtoField field, int depth)
    {
        var rented = ArrayPool<MapEntry>.Shared.Rent(count);
        try
        {
            var entries = rented.AsSpan(0, count);
            var reader = new ProtoReader(data[from..]);
            var sorted = true;
            var validKeys = true;
            for (var n = 0; n < count;)
            {
                var number = reader.ReadTag(out var wire);
                if (number != field.Number)
                {
                    reader.Skip(wire, number);
                    continue;
                }

                var body = reader.ReadLengthDelimited();
                var entry = ParseEntry(data, from + reader.Position - body.Length, body.Length, field, depth);
                entry.Seq = n;
                var key = Key(data, entry);
                validKeys &= Utf8.IsValid(key);
                if (n > 0 && Key(data, entries[n - 1]).SequenceCompareTo(key) > 0)
                {
                    sorted = false;
                }

                entries[n++] = entry;
            }

            _w.WritePropertyName(field.EncodedName);
            _w.WriteStartObject();
            if (!validKeys)
            {
                WriteEntriesByText(data, entries, field, depth);
            }
            else
            {
                if (!sorted)
                {
                    Sort(data, entries, ArrayPool<MapEntry>.Shared.Rent(count));
                }

                for (var k = 0; k < entries.Length; k++)
                {
                    var key = Key(data, entries[k]);
                    if (k + 1 < entries.Length && key.SequenceEqual(Key(data, entries[k + 1])))
                    {
                        ValidateReplaced(data, entries[k], field, depth);
                        continue;
                    }

                    _w.WritePropertyName(key);
                    WriteEntryValue(data, entries[k], field, depth);
                }
            }

            _w.WriteEndObject();
        }
        finally
        {
            ArrayPool<MapEntry>.Shared.Return(rented);
        }
    }

    /// <summary>Keys that are not valid UTF-8 become U+FFFD, so keys may collide only as text: sort and
    /// deduplicate the decoded strings.</summary>
    private void WriteEntriesByText(ReadOnlySpan<byte> data, Span<MapEntry> entries, ProtoField field, int depth)
    {
        var keyed = new (string Key, MapEntry Entry)[entries.Length];
        for (var k = 0; k < entries.Length; k++)
        {
            keyed[k] = (GoFormats.Utf8(Key(data, entries[k])), entries[k]);
        }

        Array.Sort(keyed, static (a, b) =>
        {
            var c = GoFormats.CompareUtf8(a.Key, b.Key);
            return c != 0 ? c : a.Entry.Seq.CompareTo(b.Entry.Seq);
        });
        for (var k = 0; k < keyed.Length; k++)
        {
            if (k + 1 < keyed.Length && keyed[k].Key == keyed[k + 1].Key)
            {
                ValidateReplaced(data, keyed[k].Entry, field, depth);
                continue;
            }

            _w.WritePropertyName(keyed[k].Key);
            WriteEntryValue(data, keyed[k].Entry, field, depth);
        }
    }

    /// <summary>Reads one entry's key and value positions; a value that a later one in the same entry replaces is
    /// still decoded (into scratch) so a bad one is rejected.</summary>
    private MapEntry ParseEntry(ReadOnlySpan<byte> data, int offset, int length, ProtoField field, int depth)
    {
        var entry = new MapEntry { KeyStart = offset, ValueAt = -1 };
        var r = new ProtoReader(data.Slice(offset, length));
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                var key = r.ReadLengthDelimited();
                entry.KeyStart = offset + r.Position - key.Length;
                entry.KeyLength = key.Length;
            }
            else if (n == 2 && w == field.WireType)
            {
                if (entry.ValueAt >= 0)
                {
                    ValidateReplaced(data, entry, field, depth);
                }

                entry.ValueAt = offset + r.Position;
                SkipValue(ref r, w);
            }
            else
            {
                r.WrongOrSkip(n, w, 2, "map entry " + field.JsonName);
            }
        }

        return entry;
    }

    /// <summary>Strict scan: one entry exactly as the tree decoder read it (every value, then the zero if none).</summary>
    private void ValidateMapEntry(ReadOnlySpan<byte> entry, ProtoField field, int depth)
    {
        var r = new ProtoReader(entry);
        var hasValue = false;
        while (!r.End)
        {
            var n = r.ReadTag(out var w);
            if (n == 1 && w == 2)
            {
                r.ReadLengthDelimited();
            }
            else if (n == 2 && w == field.WireType)
            {
                WriteValue(ref r, field.Type, field.Message, depth);
                hasValue = true;
            }
            else
            {
                r.WrongOrSkip(n, w, 2, "map entry " + field.JsonName);
            }
        }

        if (!hasValue)
        {
            WriteEntryValue(default, new MapEntry { ValueAt = -1 }, field, depth);
        }
    }

    private void ValidateReplaced(ReadOnlySpan<byte> data, MapEntry entry, ProtoField field, int depth)
    {
        if (_strict)
        {
            return; // the strict scan decoded every value already
        }

        var saved = _w;
        _w = Scratch;
        try
        {
            WriteEntryValue(data, entry, field, depth);
        }
        finally
        {
            _w = saved;
        }
    }

    private void WriteEntryValue(ReadOnlySpan<byte> data, MapEntry entry, ProtoField field, int depth)
    {
        if (entry.ValueAt >= 0)
        {
            var r = new ProtoReader(data[entry.ValueAt..]);
            WriteValue(ref r, field.Type, field.Message, depth);
            return;
        }

        switch (field.Type)
        {
            case ProtoType.String:
            case ProtoType.Bytes:
                _w.WriteStringValue(ReadOnlySpan<byte>.Empty);
                break;
            case ProtoType.Bool:
                _w.WriteBooleanValue(false);
                break;
            case ProtoType.Int32:
            case ProtoType.Int64:
                _w.WriteNumberValue(0);
                break;
            default:
                WriteZeroMessage(field.Message!, depth);
                break;
        }
    }

    private static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> data, MapEntry entry) => data.Slice(entry.KeyStart, entry.KeyLength);

    private static int Compare(ReadOnlySpan<byte> data, in MapEntry a, in MapEntry b)
    {
        var c = Key(data, a).SequenceCompareTo(Key(data, b));
        return c != 0 ? c : a.Seq.CompareTo(b.Seq);
    }

    /// <summary>Merge sort by key bytes, then wire order (so the last of equal keys ends last).</summary>
    private static void Sort(ReadOnlySpan<byte> data, Span<MapEntry> entries, MapEntry[] rentedTemp)
    {
        try
        {
            var temp = rentedTemp.AsSpan(0, entries.Length);
            for (var width = 1; width < entries.Length; width *= 2)
            {
                for (var lo = 0; lo < entries.Length - width; lo += 2 * width)
                {
                    var mid = lo + width;
                    var hi = Math.Min(lo + (2 * width), entries.Length);
                    int i = lo, j = mid, k = lo;
                    while (i < mid && j < hi)
                    {
                        temp[k++] = Compare(data, entries[i], entries[j]) <= 0 ? entries[i++] : entries[j++];
                    }

                    while (i < mid)
                    {
                        temp[k++] = entries[i++];
                    }

                    while (j < hi)
                    {
                        temp[k++] = entries[j++];
                    }

                    temp[lo..hi].CopyTo(entries[lo..hi]);
                }
            }
        }
        finally
        {
            ArrayPool<MapEntry>.Shared.Return(rentedTemp);
        }
    }

    private struct MapEntry
    {
        public int KeyStart;
        public int KeyLength;
        public int ValueAt; // offset of the value (after its tag) in the message, or -1 when the entry has none
        public int Seq;
    }
}
