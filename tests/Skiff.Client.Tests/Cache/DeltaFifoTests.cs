using k8s.Models;
using Skiff.Client.Cache;
using Xunit;
using static Skiff.Client.Tests.Testing.TestPods;

namespace Skiff.Client.Tests.Cache;

public class DeltaFifoTests
{
    private static V1Pod P(string name, string rv)
    {
        var p = Pod(name);
        p.Metadata.ResourceVersion = rv;
        return p;
    }

    private static async Task<PoppedDeltas<V1Pod>> PopAsync(DeltaFifo<V1Pod> f)
    {
        PoppedDeltas<V1Pod>? got = null;
        await f.PopAsync(p => got = p, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return got!;
    }

    private static string Describe(PoppedDeltas<V1Pod> p)
        => p.Key + ":" + string.Join(",", p.Deltas.Select(d => $"{d.Type}{(d.IsFinalStateUnknown ? "?" : "")}@{d.Object.Metadata.ResourceVersion}"));

    [Fact]
    public async Task PopAsync_SeveralChangesToOneKey_ComeOutTogetherInOrder_KeysInFirstSeenOrder()
    {
        var f = new DeltaFifo<V1Pod>();
        f.Add(P("a", "1"));
        f.Add(P("b", "2"));
        f.Update(P("a", "3"));
        f.Delete(P("a", "4"));
        Assert.Equal(2, f.Count);
        Assert.Equal("default/a:Added@1,Updated@3,Deleted@4", Describe(await PopAsync(f)));
        Assert.Equal("default/b:Added@2", Describe(await PopAsync(f)));
    }

    [Fact]
    public async Task Delete_TwiceInARow_Collapsed_KnownStateWins()
    {
        var known = new Indexer<V1Pod>();
        known.AddOrUpdate(P("a", "1"));
        var f = new DeltaFifo<V1Pod>(known);
        f.Replace([], "5"); // relist without a: deletion with unknown final state
        f.Delete(P("a", "2"));
        Assert.Equal("default/a:Deleted@2", Describe(await PopAsync(f)));
    }

    [Fact]
    public void Delete_UnknownObject_Ignored()
    {
        var f = new DeltaFifo<V1Pod>(new Indexer<V1Pod>());
        f.Delete(P("ghost", "1"));
        Assert.Equal(0, f.Count);
    }

    [Fact]
    public async Task Replace_KnownObjectMissingFromList_DeletedFinalStateUnknown()
    {
        var known = new Indexer<V1Pod>();
        known.AddOrUpdate(P("gone", "1"));
        known.AddOrUpdate(P("kept", "2"));
        var f = new DeltaFifo<V1Pod>(known);
        f.Replace([P("kept", "3"), P("new", "4")], "9");
        var popped = new[] { await PopAsync(f), await PopAsync(f), await PopAsync(f) }.Select(Describe).Order().ToList();
        Assert.Equal(["default/gone:Deleted?@1", "default/kept:Replaced@3", "default/new:Replaced@4"], popped);
    }

    [Fact]
    public async Task HasSynced_TrueOnlyAfterEveryInitialItemIsProcessed()
    {
        var f = new DeltaFifo<V1Pod>();
        Assert.False(f.HasSynced);
        f.Replace([P("a", "1"), P("b", "2")], "2");
        Assert.False(f.HasSynced);
        bool? syncedDuringProcess = null;
        await f.PopAsync(p => syncedDuringProcess = f.HasSynced, CancellationToken.None);
        await f.PopAsync(p => syncedDuringProcess = f.HasSynced, CancellationToken.None);
        Assert.False(syncedDuringProcess);
        Assert.True(f.HasSynced);
        Assert.True(f.Synced.IsCompletedSuccessfully);
    }

    [Fact]
    public void HasSynced_EmptyInitialList_TrueAtOnce()
    {
        var f = new DeltaFifo<V1Pod>();
        f.Replace([], "1");
        Assert.True(f.HasSynced);
    }

    [Fact]
    public async Task Resync_QueuesSyncOnlyForKeysWithNothingPending()
    {
        var known = new Indexer<V1Pod>();
        known.AddOrUpdate(P("a", "1"));
        known.AddOrUpdate(P("b", "2"));
        var f = new DeltaFifo<V1Pod>(known);
        f.Update(P("a", "3"));
        f.Resync();
        Assert.Equal("default/a:Updated@3", Describe(await PopAsync(f)));
        Assert.Equal("default/b:Sync@2", Describe(await PopAsync(f)));
        Assert.Equal(0, f.Count);
    }
}
