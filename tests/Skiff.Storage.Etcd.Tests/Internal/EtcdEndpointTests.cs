using System.Text;
using Skiff.Storage.Etcd.Internal;
using Xunit;

namespace Skiff.Storage.Etcd.Tests.Internal;

/// <summary>The connections of one member: unary calls in turn over <see cref="EtcdOptions.Connections"/>, watches apart.</summary>
public sealed class EtcdEndpointTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly Uri Local = new("http://127.0.0.1:2379");

    [Fact]
    public void Kv_OneConnection_IsAlwaysTheSameClient()
    {
        using var endpoint = new EtcdEndpoint(Local, new EtcdOptions { Endpoints = [Local] });
        Assert.Same(endpoint.Kv, endpoint.Kv);
    }

    [Fact]
    public void Kv_ThreeConnections_TakesEachInTurn()
    {
        using var endpoint = new EtcdEndpoint(Local, new EtcdOptions { Endpoints = [Local], Connections = 3 });
        var seen = Enumerable.Range(0, 6).Select(_ => endpoint.Kv).ToArray();
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Same(seen[0], seen[3]);
        Assert.Same(seen[1], seen[4]);
    }

    [Fact]
    public async Task Storage_PooledConnectionsAndDedicatedWatch_WatchSeesEveryCreateInOrder()
    {
        var options = fixture.Options with { Connections = 3, DedicatedWatchConnection = true };
        await using var store = await EtcdStorage.ConnectAsync(options, CancellationToken.None);
        var prefix = EtcdFixture.NewPrefix();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var from = await store.GetCurrentRevisionAsync(timeout.Token);
        var revisions = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            revisions.Add((await store.CreateAsync($"{prefix}{i:D2}", Encoding.UTF8.GetBytes($"v{i}"), timeout.Token)).ModRevision);
        }

        var seen = new List<long>();
        await foreach (var ev in store.WatchAsync(prefix, new WatchOptions(from), timeout.Token))
        {
            seen.Add(ev.Revision);
            if (seen.Count == revisions.Count)
            {
                break;
            }
        }

        Assert.Equal(revisions, seen);
    }
}
