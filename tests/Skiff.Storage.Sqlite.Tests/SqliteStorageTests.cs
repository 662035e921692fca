using System.Text;
using Xunit;

namespace Skiff.Storage.Sqlite.Tests;

/// <summary>SQLite-specific behaviour: persistence across reopen, refusing damaged files, group commit, compaction.</summary>
public sealed class SqliteStorageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Reopen_SameFile_KeepsEveryObjectAndTheRevisionCounter()
    {
        var path = _dir.File("s.db");
        long lastRev;
        await using (var s = await SqliteStorage.OpenAsync(path, null, default))
        {
            for (var i = 0; i < 20; i++)
            {
                await s.CreateAsync($"/k/{i:D2}", B($"v{i}"), default);
            }

            await s.CompareAndDeleteAsync("/k/05", 0, default);
            lastRev = (await s.CreateAsync("/z", B("last"), default)).ModRevision;
            await s.CompareAndDeleteAsync("/z", 0, default); // the highest row is a delete: the counter must still survive
            lastRev++;
        }

        await using var reopened = await SqliteStorage.OpenAsync(path, null, default);
        Assert.Equal(lastRev, await reopened.GetCurrentRevisionAsync(default));
        var list = await reopened.ListAsync("/k/", ListOptions.Latest, default);
        Assert.Equal(19, list.Items.Count);
        Assert.Equal("v7", Encoding.UTF8.GetString(list.Items.Single(i => i.Key == "/k/07").Value.Span));
        var next = await reopened.CreateAsync("/after", B("x"), default);
        Assert.Equal(lastRev + 1, next.ModRevision);
    }

    [Fact]
    public async Task Reopen_AfterCompactionOfTheNewestRows_NeverReusesRevisions()
    {
        var path = _dir.File("s.db");
        long deleteRev;
        await using (var s = await SqliteStorage.OpenAsync(path, null, default))
        {
            var kv = await s.CreateAsync("/a", B("1"), default);
            deleteRev = (await s.CompareAndDeleteAsync("/a", kv.ModRevision, default)).Revision;
            await s.CompactAsync(deleteRev, default);
        }

        await using var reopened = await SqliteStorage.OpenAsync(path, null, default);
        Assert.Equal(deleteRev, await reopened.GetCurrentRevisionAsync(default));
        Assert.Equal(deleteRev, await reopened.GetCompactedRevisionAsync(default));
        Assert.True((await reopened.CreateAsync("/b", B("1"), default)).ModRevision > deleteRev);
    }

    [Fact]
    public async Task Open_TruncatedFile_ThrowsStorageUnavailableNamingTheFile()
    {
        var path = _dir.File("t.db");
        await using (var s = await SqliteStorage.OpenAsync(path, null, default))
        {
            for (var i = 0; i < 300; i++)
            {
                await s.CreateAsync($"/k/{i:D4}", new byte[2000], default);
            }
        }

        // The store checkpoints its WAL on close; cut the main file in half.
        File.Delete(path + "-wal");
        using (var f = new FileStream(path, FileMode.Open))
        {
            f.SetLength(f.Length / 2);
        }

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => SqliteStorage.OpenAsync(path, null, default));
        Assert.Contains(path, ex.Message);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("corrupt-page")]
    public async Task Open_DamagedFile_ThrowsStorageUnavailableNamingTheFile(string damage)
    {
        var path = _dir.File($"{damage}.db");
        if (damage == "corrupt-page")
        {
            await using (var s = await SqliteStorage.OpenAsync(path, null, default))
            {
                for (var i = 0; i < 200; i++)
                {
                    await s.CreateAsync($"/k/{i:D4}", new byte[1000], default);
                }
            }

            File.Delete(path + "-wal");
            var bytes = await File.ReadAllBytesAsync(path);
            Random.Shared.NextBytes(bytes.AsSpan(4096 * 2, 4096 * 4)); // scribble over btree pages, keep the header
            await File.WriteAllBytesAsync(path, bytes);
        }
        else
        {
            await File.WriteAllBytesAsync(path, damage == "empty" ? [] : B("this is not a database at all, just text"));
        }

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => SqliteStorage.OpenAsync(path, null, default));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public async Task GroupCommit_ConcurrentCreatesOfOneKey_ExactlyOneWins()
    {
        await using var s = await SqliteStorage.OpenAsync(_dir.File("g.db"), null, default);
        var attempts = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            try
            {
                await s.CreateAsync("/one", B($"w{i}"), default);
                return true;
            }
            catch (KeyExistsException)
            {
                return false;
            }
        })).ToArray();
        var won = await Task.WhenAll(attempts);
        Assert.Equal(1, won.Count(w => w));
        Assert.Equal(1, await s.CountAsync("/", default));
    }

    [Fact]
    public async Task GroupCommit_ManyConcurrentWriters_AllAcknowledgedWithDistinctRevisions()
    {
        await using var s = await SqliteStorage.OpenAsync(_dir.File("m.db"), null, default);
        var writes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => s.CreateAsync($"/k/{i:D3}", B("v"), default)));
        Assert.Equal(200, writes.Select(w => w.ModRevision).Distinct().Count());
        Assert.Equal(200, await s.CountAsync("/k/", default));
        Assert.Equal(writes.Max(w => w.ModRevision), await s.GetCurrentRevisionAsync(default));
    }

    [Fact]
    public async Task Compact_LargeHistory_PhysicallyRemovesSupersededRowsInTheBackground()
    {
        var path = _dir.File("c.db");
        await using var s = await SqliteStorage.OpenAsync(path, new SqliteStorageOptions { CompactionBatchSize = 7 }, default);
        var kv = await s.CreateAsync("/a", B("0"), default);
        for (var i = 1; i <= 50; i++)
        {
            kv = (await s.CompareAndSwapAsync("/a", kv.ModRevision, B(i.ToString()), default)).Current!;
        }

        await s.CreateAsync("/gone", B("x"), default);
        await s.CompareAndDeleteAsync("/gone", 0, default);
        var at = await s.GetCurrentRevisionAsync(default);
        await s.CompactAsync(at, default);

        // Wait (with a deadline) until the background steps have caught up: the log then holds only the live row.
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        conn.Open();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long rows;
        do
        {
            await s.CreateAsync($"/tick/{Guid.NewGuid():N}", B("t"), default); // each write is a turn of the writer loop
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM kv WHERE id <= " + at;
            rows = (long)cmd.ExecuteScalar()!;
        }
        while (rows > 1 && DateTime.UtcNow < deadline);

        Assert.Equal(1, rows);
        Assert.Equal("50", Encoding.UTF8.GetString((await s.GetAsync("/a", 0, default))!.Value.Span));
        Assert.Null(await s.GetAsync("/gone", 0, default));
    }
}
