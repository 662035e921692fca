using k8s;
using k8s.Models;
using Skiff.Client.Typed;

namespace Skiff.Client.Cache;

/// <summary>
/// Hands out one <see cref="SharedIndexInformer{T}"/> per type (client-go <c>SharedInformerFactory</c>), so every
/// controller in a process shares one list+watch per resource. Informers requested before <see cref="StartAsync"/> or
/// after it are all run; <see cref="WaitForCacheSyncAsync"/> waits for all that were started.
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Clientset _clientset;
    private readonly string? _namespace;
    private readonly SharedInformerOptions _options;
    private readonly Dictionary<Type, ISharedInformer> _informers = [];
    private readonly List<(Func<Task> Sync, Task Run)> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private bool _started;

    /// <param name="ns">Watch only this namespace (null: all).</param>
    public SharedInformerFactory(Clientset clientset, SharedInformerOptions? options = null, string? ns = null)
    {
        _clientset = clientset;
        _options = options ?? new SharedInformerOptions();
        _namespace = ns;
    }

    /// <summary>The shared informer for <typeparamref name="T"/>; created (and started, if the factory runs) on first use.</summary>
    public SharedIndexInformer<T> Informer<T, TList>()
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        lock (_lock)
        {
            if (_informers.TryGetValue(typeof(T), out var existing))
            {
                return (SharedIndexInformer<T>)existing;
            }

            var client = _clientset.Resource<T, TList>(_namespace);
            var informer = new SharedIndexInformer<T>(client, _options with { Name = client.Info.Plural });
            _informers[typeof(T)] = informer;
            if (_started)
            {
                _running.Add((() => informer.WaitForCacheSyncAsync(_stop.Token), informer.RunAsync(_stop.Token)));
            }

            return informer;
        }
    }

    /// <summary>Starts every informer requested so far (and any requested later).</summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            _started = true;
            foreach (var informer in _informers.Values)
            {
                _running.Add((() => informer.WaitForCacheSyncAsync(_stop.Token), informer.RunAsync(_stop.Token)));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Waits until every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            return Task.WhenAll(_running.Select(r => r.Sync())).WaitAsync(ct);
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
