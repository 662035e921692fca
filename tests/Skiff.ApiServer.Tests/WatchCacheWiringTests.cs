using System.Text.Json.Nodes;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>The host's watch cache: on serves reads and watches through <see cref="CachingStorage"/>, off does not.</summary>
public sealed class WatchCacheWiringTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Prefix = "/registry/configmaps/";

    [Fact]
    public async Task WatchCacheOn_WatchesFromCacheAndNotOlderThanListsSeeWrites()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { WatchCache = true });
        var cache = Assert.IsType<CachingStorage>(cp.Host.Storage);
        Assert.NotNull(cache.GetCachedRevision("/registry/pods/"));
        Assert.NotNull(cache.GetCachedRevision("/registry/apps/deployments/"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var watch = await WatchStream.OpenAsync(cp.Client, $"{ConfigMaps}?watch=true", cts.Token);
        var (_, created, _) = await cp.SendAsync(HttpMethod.Post, ConfigMaps,
            JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"wc"},"data":{"a":"b"}}"""));
        var rv = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var ev = await watch.NextAsync(cts.Token);
        Assert.Equal("ADDED", ev["type"]!.GetValue<string>());
        Assert.Equal(rv, ev["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.True(cache.GetWatcherCount(Prefix) >= 1);

        foreach (var query in new[] { $"resourceVersion={rv}", $"resourceVersion={rv}&resourceVersionMatch=NotOlderThan", "" })
        {
            var (status, list, _) = await cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?{query}");
            Assert.Equal(200, status);
            Assert.Contains(list!["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "wc");
            Assert.True(long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(rv, System.Globalization.CultureInfo.InvariantCulture));
        }

        var (zeroStatus, _, _) = await cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?resourceVersion=0");
        Assert.Equal(200, zeroStatus);
    }

    [Fact]
    public async Task WatchCacheOff_ServesStoreDirectly()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { WatchCache = false });
        Assert.IsNotType<CachingStorage>(cp.Host.Storage);
    }
}
