using Skiff.ApiServer.FlowControl;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

public sealed class ShuffleShardingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(16, 4)]
    [InlineData(64, 6)]
    [InlineData(128, 6)]
    [InlineData(20, 15)]
    public void Deal_GivesDistinctCardsInRange(int deck, int hand)
    {
        var rng = new Random(7);
        Span<int> cards = stackalloc int[hand];
        for (var i = 0; i < 5000; i++)
        {
            ShuffleSharding.Deal((ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63), deck, hand, cards);
            var seen = new HashSet<int>();
            foreach (var c in cards)
            {
                Assert.InRange(c, 0, deck - 1);
                Assert.True(seen.Add(c), $"card {c} dealt twice");
            }
        }
    }

    [Fact]
    public void Deal_EveryHandOfASmallDeckIsReachable()
    {
        // Deck 5, hand 2: the 20 ordered hands each come from exactly one hash below 20.
        var hands = new HashSet<(int, int)>();
        Span<int> cards = stackalloc int[2];
        for (ulong h = 0; h < 20; h++)
        {
            ShuffleSharding.Deal(h, 5, 2, cards);
            hands.Add((cards[0], cards[1]));
        }

        Assert.Equal(20, hands.Count);
    }

    [Fact]
    public void FlowHash_IsDeterministicAndSeparatesFlows()
    {
        Assert.Equal(ShuffleSharding.FlowHash("global-default", "alice"), ShuffleSharding.FlowHash("global-default", "alice"));
        Assert.NotEqual(ShuffleSharding.FlowHash("global-default", "alice"), ShuffleSharding.FlowHash("global-default", "bob"));

        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        Assert.NotEqual(ShuffleSharding.FlowHash("ab", "c"), ShuffleSharding.FlowHash("a", "bc"));
    }

    [Fact]
    public void FlowHash_IsUpstreamsSha256Prefix_AlsoWhenRemembered_AndAfterTheMemoStartsOver()
    {
        static ulong Expected(string fs, string d) =>
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(fs + "\0" + d)));

        Assert.Equal(Expected("workload-low", "ns-a"), ShuffleSharding.FlowHash("workload-low", "ns-a"));
        Assert.Equal(Expected("workload-low", "ns-a"), ShuffleSharding.FlowHash("workload-low", "ns-a")); // remembered
        for (var i = 0; i < 5000; i++)
        {
            // More flows than the memo keeps: it starts over, and every answer stays the computed one.
            Assert.Equal(Expected("global-default", "user-" + i), ShuffleSharding.FlowHash("global-default", "user-" + i));
        }

        Assert.Equal(Expected("workload-low", "ns-a"), ShuffleSharding.FlowHash("workload-low", "ns-a"));
    }

    [Fact]
    public void Deal_SameHashSameHand()
    {
        Span<int> a = stackalloc int[6];
        Span<int> b = stackalloc int[6];
        var h = ShuffleSharding.FlowHash("service-accounts", "system:serviceaccount:default:x");
        ShuffleSharding.Deal(h, 128, 6, a);
        ShuffleSharding.Deal(h, 128, 6, b);
        Assert.True(a.SequenceEqual(b));
    }
}
