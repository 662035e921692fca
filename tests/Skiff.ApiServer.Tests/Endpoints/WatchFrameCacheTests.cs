using Skiff.ApiServer.Endpoints;
using Skiff.Storage;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

[Collection(EncodingSwitchesCollection.Name)]
public sealed class WatchFrameCacheTests
{
    private static KeyValue Kv() => new("/registry/pods/default/p", new byte[] { 1, 2, 3 }, 5, 7);

    [Fact]
    public void GetOrEncode_SameSourceTypeAndFormat_EncodesOnceAndSharesTheBytes()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode()
        {
            calls++;
            return [(byte)calls];
        }

        var first = WatchFrameCache.GetOrEncode(kv, "MODIFIED", protobuf: true, Encode);
        var second = WatchFrameCache.GetOrEncode(kv, "MODIFIED", protobuf: true, Encode);

        Assert.Same(first, second);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void GetOrEncode_OtherTypeFormatOrSourceInstance_EncodesAgain()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];

        var modifiedPb = WatchFrameCache.GetOrEncode(kv, "MODIFIED", true, Encode);
        var modifiedJson = WatchFrameCache.GetOrEncode(kv, "MODIFIED", false, Encode);
        var deletedPb = WatchFrameCache.GetOrEncode(kv, "DELETED", true, Encode);
        var equalButDistinct = WatchFrameCache.GetOrEncode(Kv(), "MODIFIED", true, Encode);

        Assert.Equal(4, calls);
        Assert.Equal([1], modifiedPb);
        Assert.Equal([2], modifiedJson);
        Assert.Equal([3], deletedPb);
        Assert.Equal([4], equalButDistinct); // keyed by reference: a record equal in value is another stored event
    }

    [Fact]
    public void GetOrEncode_UncachedType_EncodesEveryTime()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];

        WatchFrameCache.GetOrEncode(kv, "BOOKMARK", false, Encode);
        WatchFrameCache.GetOrEncode(kv, "BOOKMARK", false, Encode);

        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task GetOrEncode_ConcurrentWatchers_AllGetOneInstance()
    {
        var kv = Kv();
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return WatchFrameCache.GetOrEncode(kv, "ADDED", false, () => new byte[16]);
        })).ToArray();
        start.Set();

        var frames = await Task.WhenAll(tasks);

        Assert.All(frames, f => Assert.Same(frames[0], f));
    }
    [Fact]
    public void GetOrEncode_Variant_SameKeyAndSecond_EncodesOnce_OtherKeyEncodesAgain()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];
        var row = new EncodingVariant(EncodingForm.TableRow, "v1", "Metadata", "", false);

        var first = WatchFrameCache.GetOrEncode(kv, row, 100, Encode);
        var second = WatchFrameCache.GetOrEncode(kv, row, 100, Encode);
        var other = WatchFrameCache.GetOrEncode(kv, row with { IncludeObject = "None" }, 100, Encode);
        var beta = WatchFrameCache.GetOrEncode(kv, row with { MetaVersion = "v1beta1" }, 100, Encode);
        var plain = WatchFrameCache.GetOrEncode(kv, "ADDED", false, Encode);

        Assert.Same(first, second);
        Assert.Equal([2], other);
        Assert.Equal([3], beta);
        Assert.Equal([4], plain); // the plain slots are apart from the variants
    }

    [Fact]
    public void GetOrEncode_Variant_LaterSecond_ReEncodesAndKeepsTheNewBytes()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];
        var frame = new EncodingVariant(EncodingForm.TableFrame, "v1", "Metadata", "MODIFIED", false);

        WatchFrameCache.GetOrEncode(kv, frame, 100, Encode);
        var later = WatchFrameCache.GetOrEncode(kv, frame, 101, Encode);
        var again = WatchFrameCache.GetOrEncode(kv, frame, 101, Encode);

        Assert.Equal(2, calls);
        Assert.Same(later, again);
    }

    [Fact]
    public void GetOrEncode_TableRowOfALaterSecond_ReplacesTheOldRowInTheListItemBudget()
    {
        var kv = Kv();
        var row = new EncodingVariant(EncodingForm.TableRow, "v1", "Metadata", "", false);
        var before = WatchFrameCache.ListItemBytes;

        WatchFrameCache.GetOrEncode(kv, row, 100, () => new byte[1000]);
        var one = WatchFrameCache.ListItemBytes - before;
        for (var second = 101; second < 110; second++)
        {
            WatchFrameCache.GetOrEncode(kv, row, second, () => new byte[1000]);
        }

        Assert.InRange(one, 1000, 2000);
        Assert.Equal(one, WatchFrameCache.ListItemBytes - before); // still one row's worth, not ten
        GC.KeepAlive(kv);
    }

    [Fact]
    public void GetOrEncode_Variant_PastTheBound_StillAnswersButKeepsNoMore()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];
        for (var i = 0; i < 12; i++)
        {
            WatchFrameCache.GetOrEncode(kv, new EncodingVariant(EncodingForm.PartialMetadataItem, "v" + i, "", "", false), 0, Encode);
        }

        var extra = new EncodingVariant(EncodingForm.PartialMetadataItem, "extra", "", "", false);
        var a = WatchFrameCache.GetOrEncode(kv, extra, 0, Encode);
        var b = WatchFrameCache.GetOrEncode(kv, extra, 0, Encode);

        Assert.Equal(14, calls);
        Assert.NotSame(a, b);
    }

    [Fact]
    public void GetOrEncode_Variant_Disabled_EncodesEveryTime()
    {
        var kv = Kv();
        var calls = 0;
        byte[] Encode() => [(byte)++calls];
        var item = new EncodingVariant(EncodingForm.PartialMetadataItem, "v1", "", "", false);
        WatchFrameCache.Enabled = false;
        try
        {
            WatchFrameCache.GetOrEncode(kv, item, 0, Encode);
            WatchFrameCache.GetOrEncode(kv, item, 0, Encode);
        }
        finally
        {
            WatchFrameCache.Enabled = true;
        }

        Assert.Equal(2, calls);
    }
}
