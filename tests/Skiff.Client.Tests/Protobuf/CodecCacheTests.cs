using System.Text;
using k8s.Models;
using Skiff.Client.Protobuf;
using Xunit;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>The typed codec's shared tables (strings, embedded JSON elements, quantity texts): right answers under
/// concurrent use, and bounded size.</summary>
public sealed class CodecCacheTests
{
    [Fact]
    public void Utf8StringCache_ConcurrentMixedValues_AlwaysReturnsTheDecodedText()
    {
        var values = Enumerable.Range(0, 20_000).Select(i => i % 7 == 0 ? "é-" + i : "value-" + (i % 5000)).ToArray();
        var bytes = values.Select(Encoding.UTF8.GetBytes).ToArray();
        var failures = 0;
        Parallel.For(0, 8, worker =>
        {
            for (var round = 0; round < 5; round++)
            {
                for (var i = worker; i < values.Length; i += 3)
                {
                    if (Utf8StringCache.Get(bytes[i]) != values[i])
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        });

        Assert.Equal(0, failures);
        Assert.InRange(Utf8StringCache.Count(), 1, Utf8StringCache.Slots);
    }

    [Fact]
    public void Utf8StringCache_RepeatedShortAscii_SharesOneStringFromItsSecondSighting()
    {
        var first = Utf8StringCache.Get("ClusterFirst-cache-test"u8);
        var second = Utf8StringCache.Get("ClusterFirst-cache-test"u8);
        var third = Utf8StringCache.Get("ClusterFirst-cache-test"u8);

        Assert.NotSame(first, second);
        Assert.Same(second, third);
        Assert.Equal("ClusterFirst-cache-test", first);
    }

    [Fact]
    public void Utf8StringCache_LongOrNonAscii_AreDecodedNotShared()
    {
        var longText = new string('x', Utf8StringCache.MaxLength + 1);
        var a = Utf8StringCache.Get(Encoding.UTF8.GetBytes(longText));
        var b = Utf8StringCache.Get(Encoding.UTF8.GetBytes(longText));
        var c = Utf8StringCache.Get("ünï"u8);

        Assert.Equal(longText, a);
        Assert.NotSame(a, b);
        Assert.Equal("ünï", c);
        Assert.Equal(string.Empty, Utf8StringCache.Get(default));
    }

    [Fact]
    public void RawJson_ConcurrentDistinctTexts_ParseCorrectlyAndStayBounded()
    {
        var texts = Enumerable.Range(0, 5000).Select(i => $"{{\"f:metadata\":{{\"f:name\":{{}},\"k:{{\\\"ip\\\":\\\"10.0.{i / 250}.{i % 250}\\\"}}\":{{}}}}}}").ToArray();
        var bytes = texts.Select(Encoding.UTF8.GetBytes).ToArray();
        var failures = 0;
        Parallel.For(0, 6, worker =>
        {
            for (var i = worker; i < texts.Length * 2; i += 2)
            {
                var k = i % texts.Length;
                var element = (System.Text.Json.JsonElement)RawJson.Parse(bytes[k])!;
                if (element.GetRawText() != texts[k])
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
        Assert.InRange(RawJson.Count(), 1, RawJson.Slots);
    }

    [Fact]
    public void QuantityText_ConcurrentEqualAndDistinctValues_MatchesToString()
    {
        var texts = new[] { "100m", "0.1", "1024", "1Ki", "1.5Gi", "1536Mi", "1e3", "1000", "128974848", "129e6", "129M", "123Mi", "0", "-1", "1.5" };
        var failures = 0;
        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var q = new ResourceQuantity(texts[(i + worker) % texts.Length]);
                if (QuantityCodec.CanonicalText(q) != q.ToString())
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Encode_AlternatingSmallAndLargeMessages_LengthHintsGiveTheSameBytes()
    {
        // Each message type remembers the length size of its last body; alternating tiny and huge bodies of the same
        // types makes every guess wrong in both directions (body moved up and down).
        static V1ConfigMap Map(int size) => new()
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "m" + size, Labels = new Dictionary<string, string> { ["k"] = new string('v', size) } },
            Data = new Dictionary<string, string> { ["d"] = new string('x', size * 3), ["ü"] = new string('é', size) },
        };

        foreach (var size in new[] { 1, 20_000, 2, 100, 127, 128, 16_383, 16_384, 1, 300_000, 0, 70 })
        {
            var map = Map(size);
            Assert.Equal(OldPath.Encode(map), OldPath.TypedEncode(map));
        }
    }
}
