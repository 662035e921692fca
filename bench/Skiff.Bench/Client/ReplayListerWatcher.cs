using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Bench.Client;

/// <summary>
/// Lists nothing at a fixed resourceVersion and watches the real server from there, so an informer replays the
/// server's stored history as fast as it can consume it (no writer in the loop).
/// </summary>
internal sealed class ReplayListerWatcher<T>(IListerWatcher<T> inner, string fromResourceVersion) : IListerWatcher<T>
{
    public Task<ObjectList<T>> ListAsync(ListOptions options, CancellationToken ct) => Task.FromResult(new ObjectList<T>([], fromResourceVersion));

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, CancellationToken ct) => inner.WatchAsync(options, ct);
}
