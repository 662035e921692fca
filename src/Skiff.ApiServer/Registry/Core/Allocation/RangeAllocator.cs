using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Registry.Core.Allocation;

/// <summary>
/// A bitmap of <see cref="Size"/> items (offsets 0..Size-1) kept in one storage key, like upstream's
/// <c>RangeAllocation</c> objects under <c>/registry/ranges/…</c>. Every change is a compare-and-swap
/// (<see cref="StorageExtensions.GuaranteedUpdateAsync"/>), so concurrent allocations from any number of API server
/// instances never hand out the same item twice.
/// </summary>
public sealed class RangeAllocator
{
    private readonly string _key;
    private readonly string _rangeText;
    private readonly int _reservedForStatic;

    /// <summary>Creates an allocator.</summary>
    /// <param name="key">The storage key of the bitmap (e.g. <c>/registry/ranges/serviceips</c>).</param>
    /// <param name="rangeText">The range as text, stored with the bitmap (e.g. <c>10.0.0.0/24</c>).</param>
    /// <param name="size">Number of items.</param>
    /// <param name="reservedForStatic">How many leading offsets random allocation never picks (they stay available to explicit requests).</param>
    public RangeAllocator(string key, string rangeText, int size, int reservedForStatic = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _key = key;
        _rangeText = rangeText;
        Size = size;
        _reservedForStatic = Math.Min(reservedForStatic, size - 1);
    }

    /// <summary>Number of items in the range.</summary>
    public int Size { get; }

    /// <summary>
    /// Allocates <paramref name="offset"/>, or a random free item when it is null, and returns the offset. With
    /// <paramref name="dryRun"/> the check is made but nothing is written.
    /// </summary>
    /// <exception cref="AllocationException">Taken, out of range, or full.</exception>
    public async Task<int> AllocateAsync(IStorage storage, int? offset, bool dryRun, CancellationToken ct)
    {
        if (offset is { } o && (o < 0 || o >= Size))
        {
            throw new AllocationException(AllocationFailure.NotInRange, "not in range");
        }

        if (dryRun)
        {
            var current = await storage.GetAsync(_key, 0, ct).ConfigureAwait(false);
            return Pick(Decode(current), offset);
        }

        var chosen = -1;
        await storage.GuaranteedUpdateAsync(
            _key,
            (kv, _) =>
            {
                var bits = Decode(kv);
                chosen = Pick(bits, offset);
                bits[chosen >> 3] |= (byte)(1 << (chosen & 7));
                return ValueTask.FromResult<ReadOnlyMemory<byte>?>(Encode(bits));
            },
            allowCreate: true,
            ct).ConfigureAwait(false);
        return chosen;
    }

    /// <summary>Releases <paramref name="offset"/> (no-op when it is free or out of range).</summary>
    public async Task ReleaseAsync(IStorage storage, int offset, CancellationToken ct)
    {
        if (offset < 0 || offset >= Size)
        {
            return;
        }

        await storage.GuaranteedUpdateAsync(
            _key,
            (kv, _) =>
            {
                var bits = Decode(kv);
                if ((bits[offset >> 3] & (1 << (offset & 7))) == 0)
                {
                    return ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
                }

                bits[offset >> 3] &= (byte)~(1 << (offset & 7));
                return ValueTask.FromResult<ReadOnlyMemory<byte>?>(Encode(bits));
            },
            allowCreate: true,
            ct).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="offset"/> is allocated.</summary>
    public async Task<bool> IsAllocatedAsync(IStorage storage, int offset, CancellationToken ct)
    {
        var bits = Decode(await storage.GetAsync(_key, 0, ct).ConfigureAwait(false));
        return offset >= 0 && offset < Size && (bits[offset >> 3] & (1 << (offset & 7))) != 0;
    }

    /// <summary>How many items are allocated.</summary>
    public async Task<int> CountAsync(IStorage storage, CancellationToken ct)
    {
        var bits = Decode(await storage.GetAsync(_key, 0, ct).ConfigureAwait(false));
        return bits.Sum(b => System.Numerics.BitOperations.PopCount(b));
    }

    private int Pick(byte[] bits, int? offset)
    {
        if (offset is { } o)
        {
            if ((bits[o >> 3] & (1 << (o & 7))) != 0)
            {
                throw new AllocationException(AllocationFailure.Allocated, "already allocated");
            }

            return o;
        }

        var dynamicSize = Size - _reservedForStatic;
        var start = Random.Shared.Next(dynamicSize);
        for (var i = 0; i < dynamicSize; i++)
        {
            var candidate = _reservedForStatic + ((start + i) % dynamicSize);
            if ((bits[candidate >> 3] & (1 << (candidate & 7))) == 0)
            {
                return candidate;
            }
        }

        throw new AllocationException(AllocationFailure.Full, "range is full");
    }

    private byte[] Decode(KeyValue? kv)
    {
        var bits = new byte[(Size + 7) / 8];
        if (kv is null)
        {
            return bits;
        }

        var doc = JsonNode.Parse(kv.Value.Span) as JsonObject;
        if (JsonPath.Str(doc, "data") is { Length: > 0 } data)
        {
            var stored = Convert.FromBase64String(data);
            Array.Copy(stored, bits, Math.Min(stored.Length, bits.Length));
        }

        return bits;
    }

    private ReadOnlyMemory<byte> Encode(byte[] bits)
    {
        var doc = new JsonObject
        {
            ["kind"] = "RangeAllocation",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["range"] = _rangeText,
            ["data"] = Convert.ToBase64String(bits),
        };
        return JsonSerializer.SerializeToUtf8Bytes(doc);
    }
}
