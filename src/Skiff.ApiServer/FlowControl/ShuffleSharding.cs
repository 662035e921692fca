using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Shuffle sharding as upstream's <c>k8s.io/apiserver/pkg/util/shufflesharding</c>: a flow's 64-bit hash deals a
/// hand of distinct queue indices from the deck of queues (the hash read as a mixed-radix number, each digit a
/// choice among the cards still in the deck), so two flows rarely share their whole hand. The flow hash is
/// upstream's: the first 8 bytes (little-endian) of SHA-256 over the flow schema name, a zero byte and the
/// distinguisher.
/// </summary>
public static class ShuffleSharding
{
    /// <summary>The largest hand (upstream's dealer bound).</summary>
    public const int MaxHandSize = 15;

    // Flows are few (flow schema × user or namespace) and every request hashes its own: the hashes are remembered, up
    // to a bound past which the memo starts over. A SHA-256 through the platform's crypto library per request showed in
    // every create's profile.
    private const int MaxRememberedFlows = 4096;
    private static readonly ConcurrentDictionary<(string, string), ulong> Remembered = new();

    /// <summary>The hash of the flow (<paramref name="flowSchema"/>, <paramref name="distinguisher"/>).</summary>
    public static ulong FlowHash(string flowSchema, string distinguisher)
    {
        if (Remembered.TryGetValue((flowSchema, distinguisher), out var known))
        {
            return known;
        }

        var hash = ComputeFlowHash(flowSchema, distinguisher);
        if (Remembered.Count >= MaxRememberedFlows)
        {
            Remembered.Clear();
        }

        Remembered[(flowSchema, distinguisher)] = hash;
        return hash;
    }

    private static ulong ComputeFlowHash(string flowSchema, string distinguisher)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(flowSchema) + 1 + Encoding.UTF8.GetByteCount(distinguisher)];
        var n = Encoding.UTF8.GetBytes(flowSchema, bytes);
        bytes[n] = 0;
        Encoding.UTF8.GetBytes(distinguisher, bytes.AsSpan(n + 1));
        Span<byte> sum = stackalloc byte[32];
        SHA256.HashData(bytes, sum);
        return BinaryPrimitives.ReadUInt64LittleEndian(sum);
    }

    /// <summary>
    /// Deals <paramref name="handSize"/> distinct indices in [0, <paramref name="deckSize"/>) from
    /// <paramref name="hash"/> into <paramref name="hand"/> (same hash, same hand).
    /// </summary>
    public static void Deal(ulong hash, int deckSize, int handSize, Span<int> hand)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deckSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(handSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(handSize, Math.Min(deckSize, MaxHandSize));
        Span<int> remainders = stackalloc int[MaxHandSize];
        for (var i = 0; i < handSize; i++)
        {
            var radix = (ulong)(deckSize - i);
            remainders[i] = (int)(hash % radix);
            hash /= radix;
        }

        // Digit i picks among the cards not yet dealt: shift it past every earlier pick at or below it.
        for (var i = 0; i < handSize; i++)
        {
            var card = remainders[i];
            for (var j = i; j > 0; j--)
            {
                if (card >= remainders[j - 1])
                {
                    card++;
                }
            }

            hand[i] = card;
        }
    }
}
