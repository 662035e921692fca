using Skiff.ApiServer.Endpoints;
using Skiff.Storage;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

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
}
