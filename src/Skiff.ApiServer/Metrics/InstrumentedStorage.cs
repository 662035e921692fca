using System.Diagnostics;
using Skiff.Storage;

namespace Skiff.ApiServer.Metrics;

/// <summary>
/// A storage decorator timing every request into <c>etcd_request_duration_seconds{operation,type}</c> (upstream's
/// <c>etcd3/metrics</c>; <c>type</c> is the group-resource the key belongs to, found through <paramref name="typeOf"/>).
/// Watches are not timed. Disposing does not dispose the inner store.
/// </summary>
internal sealed class InstrumentedStorage(IStorage inner, ApiServerMetrics metrics, Func<string, string> typeOf) : IStorage
{
    /// <summary>The decorated store.</summary>
    public IStorage Inner => inner;

    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct) => inner.GetCurrentRevisionAsync(ct);

    public Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct) =>
        TimeAsync("create", key, () => inner.CreateAsync(key, value, ct));

    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct) =>
        TimeAsync("get", key, () => inner.GetAsync(key, revision, ct));

    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct) =>
        TimeAsync("list", prefix, () => inner.ListAsync(prefix, options, ct));

    public Task<long> CountAsync(string prefix, CancellationToken ct) =>
        TimeAsync("count", prefix, () => inner.CountAsync(prefix, ct));

    public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct) =>
        TimeAsync("update", key, () => inner.CompareAndSwapAsync(key, expectedModRevision, value, ct));

    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct) =>
        TimeAsync("delete", key, () => inner.CompareAndDeleteAsync(key, expectedModRevision, ct));

    public IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct) =>
        inner.WatchAsync(prefix, options, ct);

    public Task CompactAsync(long revision, CancellationToken ct) => inner.CompactAsync(revision, ct);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct) => inner.GetCompactedRevisionAsync(ct);

    public Task<HealthResult> CheckHealthAsync(CancellationToken ct) => inner.CheckHealthAsync(ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<T> TimeAsync<T>(string operation, string key, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            metrics.ObserveStorage(operation, typeOf(key), Stopwatch.GetElapsedTime(started));
        }
    }
}
