using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Cache;
using Skiff.Testing.Fakes;

namespace Skiff.Testing.Tests.Fakes;

/// <summary>The fakes drive a real informer without a server.</summary>
public sealed class FakeListerWatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static V1ConfigMap Map(string name, string value = "v") => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, string> { ["k"] = value },
    };

    [Fact]
    public async Task Informer_ListsThenWatches_TheFakesWrites()
    {
        var fake = new FakeListerWatcher<V1ConfigMap>(Map("a"));
        var handler = new RecordingEventHandler<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(fake);
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);

        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await fake.WaitForWatchAsync();
        fake.Update(Map("a", "v2"));
        fake.Add(Map("b"));
        fake.Delete(Map("a"));
        await handler.WaitForCountAsync(4);

        // Per key the history is in order (the informer's FIFO groups a key's pending changes together).
        Assert.Equal(["add(initial) default/a@1", "update default/a@1->default/a@2", "delete default/a@4"], handler.Events.Where(e => e.Contains("/a@", StringComparison.Ordinal)));
        Assert.Contains("add default/b@3", handler.Events);
        Assert.Equal("1", fake.Watches[0].ResourceVersion);
        Assert.Equal(["default/b"], informer.Indexer.ListKeys());
        await cts.CancelAsync();
        await run.WaitAsync(Deadline);
    }

    [Fact]
    public async Task ExpireWatch_MakesTheReflectorRelist_AndAMissedDeleteIsInferred()
    {
        var fake = new FakeListerWatcher<V1ConfigMap>(Map("a"), Map("b"));
        var handler = new RecordingEventHandler<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(fake);
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await fake.WaitForWatchAsync();

        fake.Write(Map("a"), k8s.WatchEventType.Deleted, silently: true);
        fake.ExpireWatch();
        await handler.WaitForCountAsync(4);

        // The relist replaces the cache: b is re-delivered as an update, a's missed deletion is inferred.
        Assert.True(fake.Lists.Count >= 2);
        Assert.Equal(["delete? default/a@1", "update default/b@2->default/b@2"], handler.Events.Skip(2).Order(StringComparer.Ordinal));
        await cts.CancelAsync();
        await run.WaitAsync(Deadline);
    }

    [Fact]
    public async Task FakeTimeProvider_DrivesTheInformersResync()
    {
        var time = new FakeTimeProvider();
        var fake = new FakeListerWatcher<V1ConfigMap>(Map("a"));
        var handler = new RecordingEventHandler<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(fake, new SharedInformerOptions { ResyncPeriod = TimeSpan.FromMinutes(1), TimeProvider = time });
        informer.AddEventHandler(handler);
        using var cts = new CancellationTokenSource();
        var run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await handler.WaitForCountAsync(1);

        time.Advance(TimeSpan.FromMinutes(1));
        await handler.WaitForCountAsync(2);

        Assert.Equal(["add(initial) default/a@1", "update default/a@1->default/a@1"], handler.Events);
        await cts.CancelAsync();
        await run.WaitAsync(Deadline);
    }
}
