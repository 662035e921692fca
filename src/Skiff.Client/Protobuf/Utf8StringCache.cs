using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// Strings of short ASCII UTF-8 values shared across decodes ("TCP", "Always", label keys, image names): a fixed-size,
/// direct-mapped, lock-free table of strings indexed by a hash of the bytes. A hit (same bytes) returns the stored
/// string without allocating; a miss creates the string, and stores it in the slot (replacing whatever was there) only
/// when the same hash missed there just before: values seen once (names, uids, IPs) are not kept, so they do not
/// outlive their object in an old-generation table. Strings are immutable and a slot is a single reference (or int)
/// written atomically, so any number of threads may read and write it; the table never grows beyond
/// <see cref="Slots"/> strings of at most <see cref="MaxLength"/> characters.
/// </summary>
internal static class Utf8StringCache
{
    /// <summary>The number of slots (the most strings the table holds).</summary>
    public const int Slots = 4096;

    /// <summary>Longer values (and any value that is not ASCII) are never cached.</summary>
    public const int MaxLength = 128;

    private static readonly string?[] Table = new string?[Slots];
    private static readonly uint[] Candidates = new uint[Slots];

    /// <summary>The string of a UTF-8 value (shared with earlier equal values when it is short ASCII).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return ProtoWire.Utf8(utf8);
        }

        return utf8.IsEmpty ? string.Empty : GetShort(utf8);
    }

    /// <summary>How many slots hold a string (for tests).</summary>
    internal static int Count()
    {
        var n = 0;
        foreach (var s in Table)
        {
            n += s is null ? 0 : 1;
        }

        return n;
    }

    private static string GetShort(ReadOnlySpan<byte> utf8)
    {
        var hash = Hash(utf8);
        var slot = (int)(hash & (Slots - 1));
        var cached = Volatile.Read(ref Table[slot]);
        if (cached is not null && cached.Length == utf8.Length && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var s = ProtoWire.Utf8(utf8);
        if (s.Length == utf8.Length)
        {
            // Same length in chars as in bytes: ASCII (the only kind Ascii.Equals matches). Kept on its second sighting.
            if (Candidates[slot] == hash)
            {
                Volatile.Write(ref Table[slot], s);
            }
            else
            {
                Candidates[slot] = hash;
            }
        }

        return s;
    }

    /// <summary>A fast, well-mixed (not collision-resistant) hash of bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash(ReadOnlySpan<byte> data)
    {
        const ulong K = 0x9E3779B97F4A7C15UL;
        var h = (ulong)data.Length * K;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * K;
            h ^= h >> 29;
        }

        if (i < data.Length)
        {
            // The last 1..7 bytes, read as one (possibly overlapping) word when the value is at least 8 bytes long.
            ulong tail;
            if (data.Length >= 8)
            {
                tail = BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]);
            }
            else
            {
                tail = 0;
                for (var j = i; j < data.Length; j++)
                {
                    tail = (tail << 8) | data[j];
                }
            }

            h = (h ^ tail) * K;
        }

        return (uint)(h ^ (h >> 32));
    }
}
