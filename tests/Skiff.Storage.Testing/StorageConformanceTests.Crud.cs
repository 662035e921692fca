using Xunit;

namespace Skiff.Storage.Testing;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task Create_NewKey_ReturnsEqualRevisionsAndGetReadsIt()
    {
        var kv = await Storage.CreateAsync(P + "a", B("one"), Ct);
        Assert.Equal(P + "a", kv.Key);
        Assert.Equal(kv.CreateRevision, kv.ModRevision);
        Assert.True(kv.ModRevision > 0);
        Assert.True(await Storage.GetCurrentRevisionAsync(Ct) >= kv.ModRevision);

        var got = await Storage.GetAsync(P + "a", 0, Ct);
        Assert.NotNull(got);
        Assert.Equal("one", S(got.Value));
        Assert.Equal(kv.ModRevision, got.ModRevision);
        Assert.Equal(kv.CreateRevision, got.CreateRevision);
    }

    [Fact]
    public async Task Create_ExistingKey_ThrowsKeyExistsAndKeepsValue()
    {
        var first = await Storage.CreateAsync(P + "a", B("one"), Ct);
        var ex = await Assert.ThrowsAsync<KeyExistsException>(() => Storage.CreateAsync(P + "a", B("two"), Ct));
        Assert.Equal(P + "a", ex.Key);
        var got = await Storage.GetAsync(P + "a", 0, Ct);
        Assert.Equal("one", S(got!.Value));
        Assert.Equal(first.ModRevision, got.ModRevision);
    }

    [Fact]
    public async Task Create_AfterDelete_StartsNewIncarnation()
    {
        var first = await Storage.CreateAsync(P + "a", B("one"), Ct);
        Assert.True((await Storage.CompareAndDeleteAsync(P + "a", 0, Ct)).Succeeded);
        var second = await Storage.CreateAsync(P + "a", B("two"), Ct);
        Assert.True(second.CreateRevision > first.CreateRevision);
        Assert.Equal(second.CreateRevision, second.ModRevision);
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Storage.GetAsync(P + "missing", 0, Ct));
    }

    [Fact]
    public async Task Operations_EmptyKey_ThrowArgumentException()
    {
        var before = await Storage.GetCurrentRevisionAsync(Ct);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.CreateAsync("", B("x"), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.GetAsync("", 0, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.CompareAndSwapAsync("", 1, B("x"), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Storage.CompareAndDeleteAsync("", 0, Ct));
        Assert.Equal(before, await Storage.GetCurrentRevisionAsync(Ct));
    }

    [Fact]
    public async Task Create_ValueOverLimit_ThrowsValueTooLargeAndWritesNothing()
    {
        var before = await Storage.GetCurrentRevisionAsync(Ct);
        var big = new byte[StorageLimits.MaxValueBytes + 1];
        var ex = await Assert.ThrowsAsync<ValueTooLargeException>(() => Storage.CreateAsync(P + "big", big, Ct));
        Assert.Equal(big.Length, ex.Size);
        Assert.Null(await Storage.GetAsync(P + "big", 0, Ct));
        Assert.Equal(before, await Storage.GetCurrentRevisionAsync(Ct));
    }

    [Fact]
    public async Task CompareAndSwap_ValueOverLimit_ThrowsAndKeepsOldValue()
    {
        var kv = await Storage.CreateAsync(P + "a", B("small"), Ct);
        await Assert.ThrowsAsync<ValueTooLargeException>(
            () => Storage.CompareAndSwapAsync(P + "a", kv.ModRevision, new byte[StorageLimits.MaxValueBytes + 1], Ct));
        var got = await Storage.GetAsync(P + "a", 0, Ct);
        Assert.Equal("small", S(got!.Value));
        Assert.Equal(kv.ModRevision, got.ModRevision);
    }

    [Fact]
    public async Task Create_ValueAtLimit_RoundTrips()
    {
        var value = new byte[StorageLimits.MaxValueBytes];
        Random.Shared.NextBytes(value);
        await Storage.CreateAsync(P + "max", value, Ct);
        var got = await Storage.GetAsync(P + "max", 0, Ct);
        Assert.True(got!.Value.Span.SequenceEqual(value));
    }

    public static TheoryData<string> OddKeys => new()
    {
        "with space",
        "percent%2Fencoded%",
        "quote'and\"double",
        "ünïcødé/名前/ключ",
        "emoji-😀-\U0010FFFF",
        "back\\slash?query=1&x#frag",
        "semi;colon,comma:colon*star",
        new string('k', 4000),
    };

    [Theory]
    [MemberData(nameof(OddKeys))]
    public async Task Key_OddCharacters_RoundTripsThroughEveryOperation(string suffix)
    {
        var key = P + suffix;
        var kv = await Storage.CreateAsync(key, B("v1"), Ct);
        Assert.Equal(key, (await Storage.GetAsync(key, 0, Ct))!.Key);
        var list = await Storage.ListAsync(P, ListOptions.Latest, Ct);
        Assert.Equal(key, Assert.Single(list.Items).Key);
        var cas = await Storage.CompareAndSwapAsync(key, kv.ModRevision, B("v2"), Ct);
        Assert.True(cas.Succeeded);
        Assert.Equal(1, await Storage.CountAsync(P, Ct));
        Assert.True((await Storage.CompareAndDeleteAsync(key, cas.Revision, Ct)).Succeeded);
        Assert.Null(await Storage.GetAsync(key, 0, Ct));
    }

    [Fact]
    public async Task Revision_EveryWrite_StrictlyIncreases()
    {
        var revisions = new List<long>();
        var a = await Storage.CreateAsync(P + "a", B("1"), Ct);
        revisions.Add(a.ModRevision);
        var u = await Storage.CompareAndSwapAsync(P + "a", a.ModRevision, B("2"), Ct);
        revisions.Add(u.Revision);
        var b = await Storage.CreateAsync(P + "b", B("1"), Ct);
        revisions.Add(b.ModRevision);
        var d = await Storage.CompareAndDeleteAsync(P + "a", 0, Ct);
        revisions.Add(d.Revision);
        var c = await Storage.CreateAsync(P + "a", B("3"), Ct);
        revisions.Add(c.ModRevision);
        for (var i = 1; i < revisions.Count; i++)
        {
            Assert.True(revisions[i] > revisions[i - 1], $"revision {revisions[i]} after {revisions[i - 1]}");
        }

        Assert.True(await Storage.GetCurrentRevisionAsync(Ct) >= revisions[^1]);
    }

    [Fact]
    public async Task CompareAndSwap_MatchingRevision_ReplacesValueKeepingCreateRevision()
    {
        var kv = await Storage.CreateAsync(P + "a", B("1"), Ct);
        var r = await Storage.CompareAndSwapAsync(P + "a", kv.ModRevision, B("2"), Ct);
        Assert.True(r.Succeeded);
        Assert.Equal("2", S(r.Current!.Value));
        Assert.Equal(kv.CreateRevision, r.Current.CreateRevision);
        Assert.Equal(r.Revision, r.Current.ModRevision);
        Assert.True(r.Revision > kv.ModRevision);
    }

    [Fact]
    public async Task CompareAndSwap_StaleRevision_FailsWithCurrentValueAndWritesNothing()
    {
        var kv = await Storage.CreateAsync(P + "a", B("1"), Ct);
        var newer = await UpdateAsync(P + "a", "2");
        var before = await Storage.GetCurrentRevisionAsync(Ct);
        var r = await Storage.CompareAndSwapAsync(P + "a", kv.ModRevision, B("3"), Ct);
        Assert.False(r.Succeeded);
        Assert.Equal("2", S(r.Current!.Value));
        Assert.Equal(newer.ModRevision, r.Current.ModRevision);
        Assert.Equal(before, await Storage.GetCurrentRevisionAsync(Ct));
    }

    [Fact]
    public async Task CompareAndSwap_MissingKey_FailsWithNullCurrent()
    {
        var r = await Storage.CompareAndSwapAsync(P + "missing", 5, B("x"), Ct);
        Assert.False(r.Succeeded);
        Assert.Null(r.Current);
        Assert.Null(await Storage.GetAsync(P + "missing", 0, Ct));
    }

    [Fact]
    public async Task GuaranteedUpdate_ConcurrentIncrements_LoseNoUpdate()
    {
        const int writers = 16, increments = 10;
        await Storage.CreateAsync(P + "counter", B("0"), Ct);
        var tasks = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < increments; i++)
            {
                await Storage.GuaranteedUpdateAsync(
                    P + "counter",
                    (cur, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(B((int.Parse(S(cur!.Value)) + 1).ToString())),
                    allowCreate: false,
                    Ct);
            }
        }));
        await Task.WhenAll(tasks);
        Assert.Equal((writers * increments).ToString(), S((await Storage.GetAsync(P + "counter", 0, Ct))!.Value));
    }

    [Fact]
    public async Task GuaranteedUpdate_SameValue_WritesNothing()
    {
        var kv = await Storage.CreateAsync(P + "a", B("same"), Ct);
        var result = await Storage.GuaranteedUpdateAsync(
            P + "a", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(B("same")), allowCreate: false, Ct);
        Assert.Equal(kv.ModRevision, result.ModRevision);
        Assert.Equal(kv.ModRevision, (await Storage.GetAsync(P + "a", 0, Ct))!.ModRevision);
    }

    [Fact]
    public async Task GuaranteedUpdate_MissingKeyWithoutCreate_ThrowsKeyNotFound()
    {
        await Assert.ThrowsAsync<KeyNotFoundStorageException>(() => Storage.GuaranteedUpdateAsync(
            P + "missing", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(B("x")), allowCreate: false, Ct));
        var created = await Storage.GuaranteedUpdateAsync(
            P + "missing", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(B("x")), allowCreate: true, Ct);
        Assert.Equal("x", S(created.Value));
    }

    [Fact]
    public async Task CompareAndDelete_StaleRevision_FailsAndKeepsKey()
    {
        var kv = await Storage.CreateAsync(P + "a", B("1"), Ct);
        var newer = await UpdateAsync(P + "a", "2");
        var r = await Storage.CompareAndDeleteAsync(P + "a", kv.ModRevision, Ct);
        Assert.False(r.Succeeded);
        Assert.Equal(newer.ModRevision, r.Current!.ModRevision);
        Assert.NotNull(await Storage.GetAsync(P + "a", 0, Ct));
    }

    [Fact]
    public async Task CompareAndDelete_MatchingRevision_ReturnsDeletedValueAndDeleteRevision()
    {
        var kv = await Storage.CreateAsync(P + "a", B("1"), Ct);
        var r = await Storage.CompareAndDeleteAsync(P + "a", kv.ModRevision, Ct);
        Assert.True(r.Succeeded);
        Assert.Equal("1", S(r.Current!.Value));
        Assert.Equal(kv.ModRevision, r.Current.ModRevision);
        Assert.True(r.Revision > kv.ModRevision);
        Assert.Null(await Storage.GetAsync(P + "a", 0, Ct));
        Assert.False((await Storage.CompareAndDeleteAsync(P + "a", 0, Ct)).Succeeded);
    }

    [Fact]
    public async Task GuaranteedDelete_UidPrecondition_RefusesMismatchAndDeletesMatch()
    {
        await Storage.CreateAsync(P + "pod", B("{\"uid\":\"u-1\"}"), Ct);
        ValueTask RequireUid(KeyValue kv, string uid) => S(kv.Value).Contains($"\"uid\":\"{uid}\"", StringComparison.Ordinal)
            ? ValueTask.CompletedTask
            : throw new PreconditionFailedException(kv.Key, $"uid mismatch: want {uid}");

        await Assert.ThrowsAsync<PreconditionFailedException>(
            () => Storage.GuaranteedDeleteAsync(P + "pod", (kv, _) => RequireUid(kv, "u-2"), Ct));
        Assert.NotNull(await Storage.GetAsync(P + "pod", 0, Ct));

        var r = await Storage.GuaranteedDeleteAsync(P + "pod", (kv, _) => RequireUid(kv, "u-1"), Ct);
        Assert.True(r.Succeeded);
        Assert.Equal("{\"uid\":\"u-1\"}", S(r.Current!.Value));
        Assert.Null(await Storage.GetAsync(P + "pod", 0, Ct));
        await Assert.ThrowsAsync<KeyNotFoundStorageException>(() => Storage.GuaranteedDeleteAsync(P + "pod", null, Ct));
    }

    [Fact]
    public async Task GuaranteedDelete_ConcurrentUpdate_RevalidatesNewerValue()
    {
        await Storage.CreateAsync(P + "pod", B("v1"), Ct);
        var seen = new List<string>();
        var r = await Storage.GuaranteedDeleteAsync(P + "pod", async (kv, _) =>
        {
            seen.Add(S(kv.Value));
            if (seen.Count == 1)
            {
                await UpdateAsync(P + "pod", "v2"); // another writer gets in between read and delete
            }
        }, Ct);
        Assert.Equal(["v1", "v2"], seen);
        Assert.Equal("v2", S(r.Current!.Value));
    }

    [Fact]
    public async Task Count_Prefix_CountsOnlyLiveMatchingKeys()
    {
        await Storage.CreateAsync(P + "a/1", B("x"), Ct);
        await Storage.CreateAsync(P + "a/2", B("x"), Ct);
        await Storage.CreateAsync(P + "a/3", B("x"), Ct);
        await Storage.CreateAsync(P + "ab/1", B("x"), Ct);
        await Storage.CompareAndDeleteAsync(P + "a/2", 0, Ct);
        Assert.Equal(2, await Storage.CountAsync(P + "a/", Ct));
        Assert.Equal(3, await Storage.CountAsync(P, Ct));
    }

    [Fact]
    public async Task CheckHealth_OpenStore_ReportsHealthy()
    {
        var h = await Storage.CheckHealthAsync(Ct);
        Assert.True(h.Healthy, h.Message);
    }
}
