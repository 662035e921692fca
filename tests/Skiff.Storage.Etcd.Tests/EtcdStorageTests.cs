using System.Text;
using Xunit;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>The key-value operations against a real single-member etcd.</summary>
public sealed class EtcdStorageTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(KeyValue? kv) => kv is null ? "<null>" : Encoding.UTF8.GetString(kv.Value.Span);

    [Fact]
    public async Task CreateAsync_NewKey_ReturnsRevisionAndGetSeesIt()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "a";
        var created = await store.CreateAsync(key, B("one"), Ct);
        Assert.Equal(created.CreateRevision, created.ModRevision);
        Assert.Equal(created.ModRevision, await store.GetCurrentRevisionAsync(Ct));
        var read = await store.GetAsync(key, 0, Ct);
        Assert.Equal("one", S(read));
        Assert.Equal(created.ModRevision, read!.ModRevision);
    }

    [Fact]
    public async Task CreateAsync_ExistingKey_ThrowsKeyExists()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "a";
        await store.CreateAsync(key, B("one"), Ct);
        await Assert.ThrowsAsync<KeyExistsException>(() => store.CreateAsync(key, B("two"), Ct));
        Assert.Equal("one", S(await store.GetAsync(key, 0, Ct)));
    }

    [Fact]
    public async Task CreateAsync_ValueOverLimit_ThrowsBeforeWriting()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "big";
        var before = await store.GetCurrentRevisionAsync(Ct);
        await Assert.ThrowsAsync<ValueTooLargeException>(() => store.CreateAsync(key, new byte[StorageLimits.MaxValueBytes + 1], Ct));
        Assert.Null(await store.GetAsync(key, 0, Ct));
        Assert.Equal(before, await store.GetCurrentRevisionAsync(Ct));
    }

    [Fact]
    public async Task CreateAsync_ValueAtLimit_IsStored()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "max";
        var value = new byte[StorageLimits.MaxValueBytes];
        value[^1] = 7;
        await store.CreateAsync(key, value, Ct);
        var read = await store.GetAsync(key, 0, Ct);
        Assert.Equal(value.Length, read!.Value.Length);
        Assert.Equal(7, read.Value.Span[^1]);
    }

    [Fact]
    public async Task CompareAndSwapAsync_MatchingRevision_Succeeds_StaleRevision_ReturnsCurrent()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "a";
        var created = await store.CreateAsync(key, B("one"), Ct);
        var swapped = await store.CompareAndSwapAsync(key, created.ModRevision, B("two"), Ct);
        Assert.True(swapped.Succeeded);
        Assert.Equal("two", S(swapped.Current));
        Assert.Equal(created.CreateRevision, swapped.Current!.CreateRevision);
        Assert.True(swapped.Current.ModRevision > created.ModRevision);
        Assert.Equal(swapped.Revision, swapped.Current.ModRevision);

        var stale = await store.CompareAndSwapAsync(key, created.ModRevision, B("three"), Ct);
        Assert.False(stale.Succeeded);
        Assert.Equal("two", S(stale.Current));
        Assert.Equal(swapped.Current.ModRevision, stale.Current!.ModRevision);
    }

    [Fact]
    public async Task CompareAndSwapAsync_MissingKey_FailsWithNull()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "missing";
        var result = await store.CompareAndSwapAsync(key, 5, B("x"), Ct);
        Assert.False(result.Succeeded);
        Assert.Null(result.Current);
        Assert.Null(await store.GetAsync(key, 0, Ct));
    }

    [Fact]
    public async Task CompareAndDeleteAsync_MatchingAndStaleAndUnconditional()
    {
        await using var store = await fixture.ConnectAsync();
        var prefix = EtcdFixture.NewPrefix();
        var a = await store.CreateAsync(prefix + "a", B("A"), Ct);
        var updated = await store.CompareAndSwapAsync(prefix + "a", a.ModRevision, B("A2"), Ct);
        var stale = await store.CompareAndDeleteAsync(prefix + "a", a.ModRevision, Ct);
        Assert.False(stale.Succeeded);
        Assert.Equal("A2", S(stale.Current));

        var deleted = await store.CompareAndDeleteAsync(prefix + "a", updated.Current!.ModRevision, Ct);
        Assert.True(deleted.Succeeded);
        Assert.Equal("A2", S(deleted.Current));
        Assert.Equal(await store.GetCurrentRevisionAsync(Ct), deleted.Revision);
        Assert.Null(await store.GetAsync(prefix + "a", 0, Ct));

        await store.CreateAsync(prefix + "b", B("B"), Ct);
        var unconditional = await store.CompareAndDeleteAsync(prefix + "b", 0, Ct);
        Assert.True(unconditional.Succeeded);
        Assert.Equal("B", S(unconditional.Current));
        var missing = await store.CompareAndDeleteAsync(prefix + "b", 0, Ct);
        Assert.False(missing.Succeeded);
        Assert.Null(missing.Current);
    }

    [Fact]
    public async Task ListAsync_Pages_AtOneRevision_WithRemainingCount()
    {
        await using var store = await fixture.ConnectAsync();
        var prefix = EtcdFixture.NewPrefix();
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
        {
            await store.CreateAsync(prefix + name, B(name), Ct);
        }

        await store.CreateAsync(prefix.TrimEnd('/') + "x/other", B("outside"), Ct);
        var first = await store.ListAsync(prefix, new ListOptions(Limit: 2), Ct);
        Assert.Equal(["a", "b"], first.Items.Select(S));
        Assert.True(first.HasMore);
        Assert.Equal(3, first.RemainingCount);
        Assert.Equal(await store.GetCurrentRevisionAsync(Ct), first.Revision);

        await store.CreateAsync(prefix + "bb", B("bb"), Ct);
        var second = await store.ListAsync(prefix, new ListOptions(first.Revision, 2, first.Items[^1].Key), Ct);
        Assert.Equal(["c", "d"], second.Items.Select(S));
        Assert.Equal(first.Revision, second.Revision);
        Assert.Equal(1, second.RemainingCount);

        var last = await store.ListAsync(prefix, new ListOptions(first.Revision, 2, second.Items[^1].Key), Ct);
        Assert.Equal(["e"], last.Items.Select(S));
        Assert.False(last.HasMore);
        Assert.Equal(0, last.RemainingCount);

        var latest = await store.ListAsync(prefix, ListOptions.Latest, Ct);
        Assert.Equal(6, latest.Items.Count);
        Assert.Equal(6, await store.CountAsync(prefix, Ct));
    }

    [Fact]
    public async Task GetAsync_AtPastRevision_ReadsOldValue_FutureRevisionThrows()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "a";
        var created = await store.CreateAsync(key, B("one"), Ct);
        await store.CompareAndSwapAsync(key, created.ModRevision, B("two"), Ct);
        Assert.Equal("one", S(await store.GetAsync(key, created.ModRevision, Ct)));
        Assert.Null(await store.GetAsync(key, created.ModRevision - 1, Ct));
        var current = await store.GetCurrentRevisionAsync(Ct);
        var ex = await Assert.ThrowsAsync<FutureRevisionException>(() => store.GetAsync(key, current + 1000, Ct));
        Assert.Equal(current + 1000, ex.Requested);
    }

    [Fact]
    public async Task GuaranteedUpdateAsync_ConcurrentIncrements_NoneLost()
    {
        await using var store = await fixture.ConnectAsync();
        var key = EtcdFixture.NewPrefix() + "counter";
        await store.CreateAsync(key, B("0"), Ct);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await store.GuaranteedUpdateAsync(key, (kv, _) =>
                    ValueTask.FromResult<ReadOnlyMemory<byte>?>(B((int.Parse(S(kv)) + 1).ToString())), allowCreate: false, Ct);
            }
        })));
        Assert.Equal("80", S(await store.GetAsync(key, 0, Ct)));
    }

    [Fact]
    public async Task CheckHealthAsync_RunningEtcd_IsHealthy()
    {
        await using var store = await fixture.ConnectAsync();
        var health = await store.CheckHealthAsync(Ct);
        Assert.True(health.Healthy, health.Message);
        Assert.Contains("3.4", health.Message);
    }
}
