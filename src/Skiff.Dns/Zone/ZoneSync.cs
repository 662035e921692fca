using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Typed;

namespace Skiff.Dns.Zone;

/// <summary>
/// Keeps a <see cref="ClusterZone"/> current from informers over every namespace's Services and EndpointSlices (one
/// list+watch each, the client SDK's <see cref="SharedInformerFactory"/>).
/// </summary>
internal sealed class ZoneSync(Clientset client, ClusterZone zone, ILoggerFactory? loggers) : IAsyncDisposable
{
    private SharedInformerFactory? _factory;

    /// <summary>Starts the informers and returns once both have synced (the zone then holds the whole cluster).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _factory = new SharedInformerFactory(client, new SharedInformerOptions { LoggerFactory = loggers, Name = "cluster-dns" });
        _factory.Informer<V1Service>().AddEventHandler(new ResourceEventHandler<V1Service>(
            (s, _) => zone.SetService(s), (_, s) => zone.SetService(s), (s, _) => zone.DeleteService(s)));
        _factory.Informer<V1EndpointSlice>().AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(
            (s, _) => zone.SetSlice(s), (_, s) => zone.SetSlice(s), (s, _) => zone.DeleteSlice(s)));
        await _factory.StartAsync(ct).ConfigureAwait(false);
        await _factory.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
        }
    }
}
