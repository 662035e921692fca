using Skiff.Client.Cache;
using Skiff.Client.Schema;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Hands out one <see cref="SharedIndexInformer{T}"/> of <see cref="DynamicObject"/> per resource (client-go
/// <c>dynamicinformer.DynamicSharedInformerFactory</c>), so any resource — including ones without a model type — can
/// be cached and watched. Informers requested before or after <see cref="StartAsync"/> are all run;
/// <see cref="WaitForCacheSyncAsync"/> waits for every started one.
/// </summary>
public sealed class DynamicSharedInformerFactory : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly DynamicClient _client;
    private readonly string? _namespace;
    private readonly SharedInformerOptions _options;
    private readonly Dictionary<GroupVersionResource, SharedIndexInformer<DynamicObject>> _informers = [];
    private readonly List<(SharedIndexInformer<DynamicObject> Informer, Task Run)> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private bool _started;

    /// <param name="ns">Watch only this namespace (null: all).</param>
    public DynamicSharedInformerFactory(DynamicClient client, SharedInformerOptions? options = null, string? ns = null)
    {
        _client = client;
        _options = options ?? new SharedInformerOptions();
        _namespace = ns;
    }

    /// <summary>The shared informer of <paramref name="gvr"/>; created (and started, if the factory runs) on first use.</summary>
    public SharedIndexInformer<DynamicObject> ForResource(GroupVersionResource gvr)
    {
        lock (_lock)
        {
            if (_informers.TryGetValue(gvr, out var existing))
            {
                return existing;
            }

            var informer = new SharedIndexInformer<DynamicObject>(_client.Resource(gvr).Namespace(_namespace), _options with { Name = gvr.Resource });
            _informers[gvr] = informer;
            if (_started)
            {
                _running.Add((informer, informer.RunAsync(_stop.Token)));
            }

            return informer;
        }
    }

    /// <summary>Starts every informer requested so far (and any requested later).</summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (!_started)
            {
                _started = true;
                foreach (var informer in _informers.Values)
                {
                    _running.Add((informer, informer.RunAsync(_stop.Token)));
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Waits until every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            return Task.WhenAll(_running.Select(r => r.Informer.WaitForCacheSyncAsync(ct)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] runs;
        lock (_lock)
        {
            runs = [.. _running.Select(r => r.Run)];
        }

        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
