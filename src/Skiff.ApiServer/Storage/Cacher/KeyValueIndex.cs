using System.Runtime.InteropServices;
using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// The cache's current state: key-values in <see cref="StorageKeyComparer"/> order, kept in bounded sorted blocks so
/// that an insert or delete moves at most one block (not the whole state) and a range copies block slices.
/// </summary>
internal sealed class KeyValueIndex
{
    private const int MaxBlock = 512;
    private static readonly StorageKeyComparer Comparer = StorageKeyComparer.Instance;
    private readonly List<List<KeyValue>> _blocks = []; // never an empty block

    public int Count { get; private set; }

    /// <summary>Replaces the content with <paramref name="sorted"/> (already in key order).</summary>
    public void Reset(IReadOnlyList<KeyValue> sorted)
    {
        _blocks.Clear();
        for (var i = 0; i < sorted.Count; i += MaxBlock / 2)
        {
            var n = Math.Min(MaxBlock / 2, sorted.Count - i);
            var block = new List<KeyValue>(MaxBlock);
            for (var j = 0; j < n; j++)
            {
                block.Add(sorted[i + j]);
            }

            _blocks.Add(block);
        }

        Count = sorted.Count;
    }

    public KeyValue? Get(string key)
    {
        var (b, i) = LowerBound(key, inclusive: true);
        return b < _blocks.Count && _blocks[b][i].Key == key ? _blocks[b][i] : null;
    }

    /// <summary>Inserts or replaces the entry of <paramref name="kv"/>'s key.</summary>
    public void Set(KeyValue kv)
    {
        if (_blocks.Count == 0)
        {
            _blocks.Add(new List<KeyValue>(MaxBlock) { kv });
            Count = 1;
            return;
        }

        var (b, i) = LowerBound(kv.Key, inclusive: true);
        if (b < _blocks.Count && _blocks[b][i].Key == kv.Key)
        {
            _blocks[b][i] = kv;
            return;
        }

        if (b == _blocks.Count)
        {
            b--; // after the last key: append to the last block
            i = _blocks[b].Count;
        }

        var block = _blocks[b];
        block.Insert(i, kv);
        Count++;
        if (block.Count > MaxBlock)
        {
            var half = block.Count / 2;
            var tail = new List<KeyValue>(MaxBlock);
            tail.AddRange(block.GetRange(half, block.Count - half));
            block.RemoveRange(half, block.Count - half);
            _blocks.Insert(b + 1, tail);
        }
    }

    public void Remove(string key)
    {
        var (b, i) = LowerBound(key, inclusive: true);
        if (b < _blocks.Count && _blocks[b][i].Key == key)
        {
            _blocks[b].RemoveAt(i);
            Count--;
            if (_blocks[b].Count == 0)
            {
                _blocks.RemoveAt(b);
            }
        }
    }

    /// <summary>
    /// Copies up to <paramref name="limit"/> (0 = all) entries under <paramref name="prefix"/> after
    /// <paramref name="startAfter"/> (when not null) into <paramref name="into"/>; returns how many entries that range holds.
    /// </summary>
    public int CopyRange(string prefix, string? startAfter, int limit, List<KeyValue> into)
    {
        var (b, i) = Start(prefix, startAfter);
        var total = 0;
        var want = limit > 0 ? limit : int.MaxValue;
        for (; b < _blocks.Count; b++, i = 0)
        {
            var block = _blocks[b];
            var end = block[^1].Key.StartsWith(prefix, StringComparison.Ordinal) ? block.Count : EndInBlock(block, prefix, i);
            var n = end - i;
            var copy = Math.Min(n, want - into.Count);
            if (copy > 0)
            {
                into.AddRange(CollectionsMarshal.AsSpan(block).Slice(i, copy));
            }

            total += n;
            if (end < block.Count)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Enumerates the entries under <paramref name="prefix"/> after <paramref name="startAfter"/> (when not null), in order.</summary>
    public IEnumerable<KeyValue> Range(string prefix, string? startAfter)
    {
        var (b, i) = Start(prefix, startAfter);
        for (; b < _blocks.Count; b++, i = 0)
        {
            var block = _blocks[b];
            for (; i < block.Count; i++)
            {
                if (!block[i].Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield break;
                }

                yield return block[i];
            }
        }
    }

    private (int Block, int Index) Start(string prefix, string? startAfter) =>
        startAfter is not null && Comparer.Compare(startAfter, prefix) >= 0
            ? LowerBound(startAfter, inclusive: false)
            : LowerBound(prefix, inclusive: true);

    /// <summary>The first position whose key is ≥ (inclusive) or &gt; <paramref name="key"/>; (block count, 0) when none.</summary>
    private (int Block, int Index) LowerBound(string key, bool inclusive)
    {
        int lo = 0, hi = _blocks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Before(_blocks[mid][^1].Key, key, inclusive))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo == _blocks.Count)
        {
            return (lo, 0);
        }

        var block = _blocks[lo];
        int l = 0, h = block.Count;
        while (l < h)
        {
            var mid = (l + h) >>> 1;
            if (Before(block[mid].Key, key, inclusive))
            {
                l = mid + 1;
            }
            else
            {
                h = mid;
            }
        }

        return (lo, l);
    }

    // Whether an entry with key k lies before the bound.
    private static bool Before(string k, string key, bool inclusive)
    {
        var c = Comparer.Compare(k, key);
        return inclusive ? c < 0 : c <= 0;
    }

    /// <summary>The first index at or after <paramref name="start"/> whose key does not start with the prefix.</summary>
    private static int EndInBlock(List<KeyValue> block, string prefix, int start)
    {
        int lo = start, hi = block.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (block[mid].Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
