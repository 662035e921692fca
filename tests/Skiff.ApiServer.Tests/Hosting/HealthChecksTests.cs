using System.Net;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Hosting;

public sealed class HealthChecksTests
{
    [Fact]
    public async Task Readyz_StorageUnreachable_FailsEtcdCheckAndRecovers()
    {
        await using var storage = new SwitchableStorage(new MemoryStorage());
        await using var cp = await TestControlPlane.StartAsync(storage: storage);
        using var anon = cp.CreateAnonymousClient();

        var ok = await anon.GetStringAsync("/readyz?verbose");
        Assert.Contains("[+]etcd ok\n", ok);
        Assert.Contains("[+]informer-sync ok\n", ok);
        Assert.Contains("[+]shutdown ok\n", ok);

        storage.Down = true;
        var resp = await anon.GetAsync("/readyz?verbose");
        Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        var text = await resp.Content.ReadAsStringAsync();
        Assert.Contains("[-]etcd failed: reason withheld\n", text);
        Assert.Contains("[+]informer-sync ok\n", text);
        Assert.EndsWith("readyz check failed\n", text);
        Assert.Equal(HttpStatusCode.InternalServerError, (await anon.GetAsync("/livez")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await cp.Client.GetAsync("/readyz/etcd")).StatusCode);

        storage.Down = false;
        Assert.Equal("ok", await anon.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task Livez_Verbose_ListsOnlyLivenessChecks()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var anon = cp.CreateAnonymousClient();
        var text = await anon.GetStringAsync("/livez?verbose");
        Assert.Contains("[+]ping ok\n", text);
        Assert.Contains("[+]etcd ok\n", text);
        Assert.DoesNotContain("shutdown", text);
        Assert.EndsWith("livez check passed\n", text);
        Assert.Equal(HttpStatusCode.NotFound, (await cp.Client.GetAsync("/readyz/nope")).StatusCode);
    }

    /// <summary>A store whose health check (and every other call) fails while <see cref="Down"/> is set, like a stopped etcd.</summary>
    private sealed class SwitchableStorage(IStorage inner) : IStorage
    {
        public volatile bool Down;

        private T Check<T>(Func<T> call) => Down ? throw new StorageException("storage is down") : call();

        public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct) => Check(() => inner.GetCurrentRevisionAsync(ct));

        public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct) => Check(() => inner.CreateAsync(key, value, ct));

        public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct) => Check(() => inner.GetAsync(key, revision, ct));

        public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct) => Check(() => inner.ListAsync(prefix, options, ct));

        public Task<long> CountAsync(string prefix, CancellationToken ct) => Check(() => inner.CountAsync(prefix, ct));

        public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct) =>
            Check(() => inner.CompareAndSwapAsync(key, expectedModRevision, value, ct));

        public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct) =>
            Check(() => inner.CompareAndDeleteAsync(key, expectedModRevision, ct));

        public IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct) => inner.WatchAsync(prefix, options, ct);

        public Task CompactAsync(long revision, CancellationToken ct) => Check(() => inner.CompactAsync(revision, ct));

        public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct) => Check(() => inner.GetCompactedRevisionAsync(ct));

        public Task<HealthResult> CheckHealthAsync(CancellationToken ct) =>
            Down ? Task.FromResult(new HealthResult(false, "storage is down")) : inner.CheckHealthAsync(ct);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
