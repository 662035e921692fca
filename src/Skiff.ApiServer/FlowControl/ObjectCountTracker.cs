using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's <c>ObjectCountTracker</c>: the stored object count of every served resource, refreshed periodically from
/// storage (upstream counts each resource once a minute), for the LIST work estimate. Resources not stored here
/// (aggregated, unknown, not counted yet) have no count. Thread-safe.
/// </summary>
public sealed class ObjectCountTracker
{
    private volatile Dictionary<(string Group, string Resource), long> _counts = [];

    /// <summary>The last count of <paramref name="group"/>/<paramref name="resource"/>, null when unknown.</summary>
    public long? Get(string group, string resource) => _counts.TryGetValue((group, resource), out var n) ? n : null;

    /// <summary>Sets counts directly (tests, benches).</summary>
    public void Set(string group, string resource, long count) =>
        _counts = new Dictionary<(string, string), long>(_counts) { [(group, resource)] = count };

    /// <summary>Counts every stored resource of <paramref name="registry"/> in <paramref name="storage"/> once.</summary>
    public async Task RefreshAsync(ResourceRegistry registry, IStorage storage, CancellationToken ct)
    {
        var counts = new Dictionary<(string, string), long>();
        foreach (var d in registry.All.Where(d => d.Stored).DistinctBy(d => (d.Group, d.Resource)))
        {
            counts[(d.Group, d.Resource)] = await storage.CountAsync(d.StoragePrefix, ct).ConfigureAwait(false);
        }

        _counts = counts;
    }

    /// <summary>Refreshes every <paramref name="period"/> until <paramref name="lifetime"/> ends (errors keep the last counts).</summary>
    public async Task RunAsync(ResourceRegistry registry, IStorage storage, TimeSpan period, TimeProvider clock, CancellationToken lifetime)
    {
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            do
            {
                try
                {
                    await RefreshAsync(registry, storage, lifetime).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage unavailable: keep the last counts; the next tick tries again.
                }
            }
            while (await timer.WaitForNextTickAsync(lifetime).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // Server stopping.
        }
    }
}
