using System.Text;
using Xunit;

namespace Skiff.Storage.Sqlite.Tests;

/// <summary>
/// Group commit: writes queued while the writer is busy commit together in one transaction, in the order they were
/// queued, with contiguous increasing revisions; one write SQLite refuses inside a batch fails alone.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private const string Gate = "/gate";
    private readonly TempDirectory _dir = new();
    private readonly ManualResetEventSlim _entered = new();
    private readonly ManualResetEventSlim _release = new();
    private readonly HashSet<string> _failing = [];

    public void Dispose()
    {
        _release.Set();
        _dir.Dispose();
        _entered.Dispose();
        _release.Dispose();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A store whose writer blocks on <see cref="Gate"/> until released, and fails the keys in <see cref="_failing"/>.</summary>
    private Task<SqliteStorage> OpenAsync(string file) => SqliteStorage.OpenAsync(_dir.File(file), new SqliteStorageOptions
    {
        WriteFault = key =>
        {
            if (key == Gate)
            {
                _entered.Set();
                if (!_release.Wait(TimeSpan.FromSeconds(30)))
                {
                    return new TimeoutException("the test never released the gate");
                }
            }

            return _failing.Contains(key) ? new InvalidOperationException($"injected failure for {key}") : null;
        },
    }, default);

    /// <summary>Holds the writer inside a batch, queues <paramref name="queue"/>'s writes behind it, then lets it go.</summary>
    private async Task<KeyValue> BehindTheGateAsync(SqliteStorage s, Action queue)
    {
        var gate = s.CreateAsync(Gate, B("g"), default);
        Assert.True(_entered.Wait(TimeSpan.FromSeconds(30)), "the writer never reached the gate");
        queue();
        _release.Set();
        return await gate;
    }

    [Fact]
    public async Task QueuedWrites_CommitInOneBatch_InQueueOrder_WithContiguousRevisions()
    {
        await using var s = await OpenAsync("order.db");
        var writes = new List<Task<KeyValue>>();

        var gate = await BehindTheGateAsync(s, () =>
        {
            for (var i = 0; i < 100; i++)
            {
                writes.Add(s.CreateAsync($"/b/{i:D3}", B($"v{i}"), default));
            }
        });
        var done = await Task.WhenAll(writes);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => gate.ModRevision + i), done.Select(kv => kv.ModRevision));
        Assert.Equal(gate.ModRevision + 100, await s.GetCurrentRevisionAsync(default));
    }

    [Fact]
    public async Task OneFailingWrite_InABatch_FailsAlone_TheOthersCommitInOrder()
    {
        await using var s = await OpenAsync("isolate.db");
        _failing.Add("/b/025");
        var writes = new List<Task<KeyValue>>();
        Task<WriteResult>? swap = null;
        var before = await s.GetCurrentRevisionAsync(default);

        var gate = await BehindTheGateAsync(s, () =>
        {
            for (var i = 0; i < 50; i++)
            {
                writes.Add(s.CreateAsync($"/b/{i:D3}", B($"v{i}"), default));
            }

            // A compare-and-swap on a key created earlier in the same batch: it still sees that create after the retry.
            swap = s.CompareAndSwapAsync("/b/010", before + 12, B("swapped"), default);
        });
        var failed = await Assert.ThrowsAsync<StorageUnavailableException>(() => writes[25]);
        var ok = await Task.WhenAll(writes.Where((_, i) => i != 25));
        var swapped = await swap!;

        Assert.Contains("injected failure for /b/025", failed.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, 49).Select(i => gate.ModRevision + i), ok.Select(kv => kv.ModRevision));
        Assert.True(swapped.Succeeded);
        Assert.Equal(gate.ModRevision + 50, swapped.Current!.ModRevision);
        Assert.Null(await s.GetAsync("/b/025", 0, default));
        Assert.Equal(49, await s.CountAsync("/b/", default));
        Assert.Equal("swapped", Encoding.UTF8.GetString((await s.GetAsync("/b/010", 0, default))!.Value.Span));
    }

    [Fact]
    public async Task ConcurrentWriters_WatchSeesEveryAcknowledgedWrite_OnceInStrictlyIncreasingOrder()
    {
        await using var s = await OpenAsync("watch.db");
        var from = await s.GetCurrentRevisionAsync(default);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<long>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in s.WatchAsync("/w/", new WatchOptions(from), cts.Token))
            {
                if (e.Kv is null)
                {
                    continue;
                }

                seen.Add(e.Revision);
                if (seen.Count == 400)
                {
                    return;
                }
            }
        });

        var acknowledged = (await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            for (var i = 0; i < 50; i++)
            {
                revisions.Add((await s.CreateAsync($"/w/{w}/{i:D2}", B("v"), default)).ModRevision);
            }

            return revisions;
        })))).SelectMany(r => r).Order().ToList();
        await watching.WaitAsync(cts.Token);

        Assert.Equal(acknowledged, seen);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First < p.Second));
    }
}
