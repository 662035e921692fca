using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Xunit;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>Member crashes, fail-over, restarts and an unreachable etcd, with real etcd processes killed with SIGKILL.</summary>
public sealed class EtcdFailureTests
{
    private static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(KeyValue? kv) => kv is null ? "<null>" : Encoding.UTF8.GetString(kv.Value.Span);

    [Fact]
    public async Task ConnectAsync_UnreachableEndpoints_ThrowsUnavailableNamingThemQuickly()
    {
        var options = EtcdOptions.Parse("127.0.0.1:1,http://127.0.0.1:9") with { DialTimeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => EtcdStorage.ConnectAsync(options, CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
        Assert.Contains("http://127.0.0.1:1/", ex.Message);
        Assert.Contains("http://127.0.0.1:9/", ex.Message);
    }

    [Fact]
    public async Task Operations_EtcdGone_ThrowUnavailableWithinRequestTimeout_HealthReportsUnhealthy()
    {
        await using var etcd = await EtcdProcess.StartAsync(CancellationToken.None);
        var options = new EtcdOptions { Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(2), AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var store = await EtcdStorage.ConnectAsync(options, CancellationToken.None);
        await store.CreateAsync("/gone/a", B("a"), CancellationToken.None);
        await etcd.KillAsync();

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.GetAsync("/gone/a", 0, CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
        Assert.Contains(etcd.ClientUrl.ToString(), ex.Message);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.CreateAsync("/gone/b", B("b"), CancellationToken.None));
        var health = await store.CheckHealthAsync(CancellationToken.None);
        Assert.False(health.Healthy);
        Assert.Contains(etcd.ClientUrl.ToString(), health.Message);
    }

    [Fact]
    public async Task Cluster_KillPreferredMemberDuringWrites_StoreKeepsWorking_NoAcknowledgedWriteLostOrDoubled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var cluster = await EtcdProcess.StartClusterAsync(3, cts.Token);
        try
        {
            var options = new EtcdOptions { Endpoints = cluster.Select(m => m.ClientUrl).ToArray(), RequestTimeout = TimeSpan.FromSeconds(20) };
            await using var store = await EtcdStorage.ConnectAsync(options, cts.Token);
            await store.CreateAsync("/ha/counter", B("0"), cts.Token);
            var acknowledged = new ConcurrentQueue<int>();
            var increments = 0;
            using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stopWriting.IsCancellationRequested; i++)
                {
                    await store.CreateAsync($"/ha/keys/{i:D6}", B($"v{i}"), cts.Token);
                    acknowledged.Enqueue(i);
                    await store.GuaranteedUpdateAsync("/ha/counter", (kv, _) =>
                        ValueTask.FromResult<ReadOnlyMemory<byte>?>(B((int.Parse(S(kv)) + 1).ToString())), allowCreate: false, cts.Token);
                    Interlocked.Increment(ref increments);
                }
            });

            await WaitUntilAsync(() => acknowledged.Count >= 40 || writer.IsCompleted, cts.Token);
            var victim = cluster.Single(m => m.ClientUrl == store.CurrentEndpoint);
            await victim.KillAsync();
            var atKill = acknowledged.Count;
            await WaitUntilAsync(() => acknowledged.Count >= atKill + 40 || writer.IsCompleted, cts.Token);
            await stopWriting.CancelAsync();
            await writer; // throws if any write failed

            Assert.NotEqual(victim.ClientUrl, store.CurrentEndpoint);
            var listed = await store.ListAsync("/ha/keys/", ListOptions.Latest, cts.Token);
            var present = listed.Items.ToDictionary(kv => kv.Key, S);
            foreach (var i in acknowledged)
            {
                Assert.Equal($"v{i}", present.GetValueOrDefault($"/ha/keys/{i:D6}"));
            }

            Assert.Equal(acknowledged.Count, present.Count);
            Assert.Equal(increments.ToString(), S(await store.GetAsync("/ha/counter", 0, cts.Token)));
        }
        finally
        {
            foreach (var member in cluster)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task SingleMember_KillDuringWriteLoopAndRestart_EveryAcknowledgedWritePresent()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var etcd = await EtcdProcess.StartAsync(cts.Token);
        var options = new EtcdOptions { Endpoints = [etcd.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3), AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var store = await EtcdStorage.ConnectAsync(options, cts.Token);
        var acknowledged = new ConcurrentQueue<int>();
        var failed = 0;
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stopWriting.IsCancellationRequested; i++)
            {
                try
                {
                    await store.CreateAsync($"/crash/{i:D6}", B($"v{i}"), cts.Token);
                    acknowledged.Enqueue(i);
                }
                catch (StorageUnavailableException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });

        await WaitUntilAsync(() => acknowledged.Count >= 50 || writer.IsCompleted, cts.Token);
        await etcd.KillAsync();
        var atKill = acknowledged.Count;
        await etcd.RestartAsync(cts.Token);
        await WaitUntilAsync(() => acknowledged.Count >= atKill + 50 || writer.IsCompleted, cts.Token);
        await stopWriting.CancelAsync();
        await writer;

        var present = (await store.ListAsync("/crash/", ListOptions.Latest, cts.Token)).Items.ToDictionary(kv => kv.Key, S);
        foreach (var i in acknowledged)
        {
            Assert.Equal($"v{i}", present.GetValueOrDefault($"/crash/{i:D6}"));
        }

        Assert.True(acknowledged.Count >= atKill + 50);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(20, ct);
        }
    }
}
