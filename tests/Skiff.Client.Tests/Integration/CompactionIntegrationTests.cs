using k8s.Models;
using Skiff.Client.Cache;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// An informer whose watch is down while the server compacts its history past the informer's resourceVersion must
/// relist (410 Expired) and converge, reporting objects deleted meanwhile as deletions with an unknown final state.
/// Own class: it compacts the whole store of its control plane.
/// </summary>
public sealed class CompactionIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Informer_HistoryCompactedWhileDisconnected_RelistsAndConverges()
    {
        WatchCutter? cutter = null;
        using var cs = fx.Clientset(inner => cutter = new WatchCutter(inner));
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var a = await cms.CreateAsync(TestObjects.ConfigMap("a"));
        await cms.CreateAsync(TestObjects.ConfigMap("b"));
        var c = await cms.CreateAsync(TestObjects.ConfigMap("c"));

        var informer = new SharedIndexInformer<V1ConfigMap>(cms, new SharedInformerOptions
        {
            Reflector = new ReflectorOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) },
        });
        var h = new KeyedRecorder<V1ConfigMap>();
        informer.AddEventHandler(h);
        using var stop = new CancellationTokenSource();
        var firstWatch = cutter!.NextWatchStarted();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await firstWatch.WaitAsync(Deadline);
        await h.WaitAsync(s => s.Count == 3, Deadline);

        // Disconnect, change things, compact everything up to now, reconnect.
        cutter.Cut();
        a.Data["k"] = "changed";
        var a2 = await cms.UpdateAsync(a);
        await cms.DeleteAsync("b");
        var d = await cms.CreateAsync(TestObjects.ConfigMap("d"));
        var revision = await fx.Cp.Storage.GetCurrentRevisionAsync(CancellationToken.None);
        await fx.Cp.Storage.CompactAsync(revision, CancellationToken.None);
        var watchesBefore = cutter.Watches;
        var resumed = cutter.NextWatchStarted();
        cutter.Release();

        await h.WaitAsync(s => s[$"{ns}/a"].Count == 2 && s[$"{ns}/b"].Count == 2 && s[$"{ns}/c"].Count == 2 && s.ContainsKey($"{ns}/d"), Deadline);
        Assert.Equal([$"add {a.Metadata.ResourceVersion}", $"update {a2.Metadata.ResourceVersion}"], h.History($"{ns}/a"));
        Assert.StartsWith("delete? ", h.History($"{ns}/b")[1], StringComparison.Ordinal); // inferred by the relist
        Assert.Equal([$"add {d.Metadata.ResourceVersion}"], h.History($"{ns}/d"));
        // Unchanged, but a relist re-delivers every listed object (client-go: OnUpdate with equal resourceVersions).
        Assert.Equal([$"add {c.Metadata.ResourceVersion}", $"update {c.Metadata.ResourceVersion}"], h.History($"{ns}/c"));

        // The informer watches again after the relist.
        await resumed.WaitAsync(Deadline);
        Assert.True(cutter.Watches > watchesBefore);
        var e = await cms.CreateAsync(TestObjects.ConfigMap("e"));
        await h.WaitAsync(s => s.ContainsKey($"{ns}/e"), Deadline);
        Assert.Equal([$"add {e.Metadata.ResourceVersion}"], h.History($"{ns}/e"));
        Assert.Equal([$"{ns}/a", $"{ns}/c", $"{ns}/d", $"{ns}/e"], informer.Indexer.ListKeys().Order(StringComparer.Ordinal));
        Assert.True(long.Parse(informer.LastSyncResourceVersion, System.Globalization.CultureInfo.InvariantCulture) >= revision);

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Watch_FromCompactedResourceVersion_EndsWithResourceExpired()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var old = await cms.CreateAsync(TestObjects.ConfigMap("old"));
        await cms.CreateAsync(TestObjects.ConfigMap("newer"));
        await fx.Cp.Storage.CompactAsync(await fx.Cp.Storage.GetCurrentRevisionAsync(CancellationToken.None), CancellationToken.None);

        using var cts = new CancellationTokenSource(Deadline);
        var e = await Assert.ThrowsAsync<Skiff.Client.Rest.KubernetesApiException>(async () =>
        {
            await foreach (var _ in cms.WatchAsync(new Skiff.Client.Options.ListOptions { ResourceVersion = old.Metadata.ResourceVersion }, cts.Token))
            {
            }
        });
        Assert.True(e.IsResourceExpired);
        Assert.Equal(System.Net.HttpStatusCode.Gone, e.Code);
        Assert.True(Skiff.Client.Rest.ApiErrors.IsResourceExpired(e));
    }
}
