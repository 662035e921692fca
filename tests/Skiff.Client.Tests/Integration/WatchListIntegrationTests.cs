using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Informers syncing through a streaming list (WATCH with sendInitialEvents, KEP-3157) against the real server.</summary>
public sealed class WatchListIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(Deadline);
        _stop.Dispose();
    }

    [Fact]
    public async Task WatchList_ExistingObjects_SyncsAtEndBookmarkWithoutListThenSeesLiveWritesInOrder()
    {
        var requests = new ConcurrentQueue<string>();
        using var cs = fx.Clientset(inner => new Recorder(inner, requests));
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var a = await cms.CreateAsync(TestObjects.ConfigMap("a"));
        var b = await cms.CreateAsync(TestObjects.ConfigMap("b"));
        var gate = new BookmarkGate(cms);
        var h = new KeyedRecorder<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(gate, new SharedInformerOptions { UseWatchList = true });
        informer.AddEventHandler(h);
        _runs.Add(informer.RunAsync(_stop.Token));

        // Both ADDED events have arrived and the end bookmark is held back: nothing is synced or cached yet.
        var bookmark = await gate.BookmarkReached.WaitAsync(Deadline);
        Assert.Equal(2, gate.InitialAdds);
        Assert.False(informer.HasSynced);
        Assert.Empty(informer.Indexer.List());

        gate.Release();
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        Assert.Equal(bookmark.Metadata.ResourceVersion, informer.LastSyncResourceVersion);
        Assert.Equal(["a", "b"], informer.Indexer.List().Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));

        var a1 = a;
        a1.Data["k"] = "v1";
        a1 = await cms.UpdateAsync(a1);
        var c = await cms.CreateAsync(TestObjects.ConfigMap("c"));
        await cms.DeleteAsync("b");
        await h.WaitAsync(s => s.TryGetValue($"{ns}/b", out var l) && l.Count == 2 && s.ContainsKey($"{ns}/c"), Deadline);

        Assert.Equal([$"add {a.Metadata.ResourceVersion}", $"update {a1.Metadata.ResourceVersion}"], h.History($"{ns}/a"));
        var bHistory = h.History($"{ns}/b");
        Assert.Equal($"add {b.Metadata.ResourceVersion}", bHistory[0]);
        Assert.StartsWith("delete ", bHistory[1], StringComparison.Ordinal);
        Assert.Equal([$"add {c.Metadata.ResourceVersion}"], h.History($"{ns}/c"));

        // No LIST of configmaps: exactly one watch, carrying the streaming-list parameters.
        var mine = requests.Where(u => u.Contains($"/namespaces/{ns}/configmaps", StringComparison.Ordinal)).ToList();
        var cmRequests = mine.Where(u => u.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        var watch = Assert.Single(cmRequests);
        Assert.Contains("watch=true", watch, StringComparison.Ordinal);
        Assert.Contains("sendInitialEvents=true", watch, StringComparison.Ordinal);
        Assert.Contains("resourceVersionMatch=NotOlderThan", watch, StringComparison.Ordinal);
        Assert.Contains("allowWatchBookmarks=true", watch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchList_ServerRejectsSendInitialEvents_FallsBackToListAndWatchAndRemembers()
    {
        var requests = new ConcurrentQueue<string>();
        using var cs = fx.Clientset(inner => new Recorder(new RejectSendInitialEvents(inner), requests));
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        var a = await cms.CreateAsync(TestObjects.ConfigMap("a"));
        var h = new KeyedRecorder<V1ConfigMap>();
        var reflectorOptions = new ReflectorOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) };
        var informer = new SharedIndexInformer<V1ConfigMap>(cms, new SharedInformerOptions { UseWatchList = true, Reflector = reflectorOptions });
        informer.AddEventHandler(h);
        _runs.Add(informer.RunAsync(_stop.Token));
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        Assert.Equal(["a"], informer.Indexer.List().Select(x => x.Metadata.Name));

        var b = await cms.CreateAsync(TestObjects.ConfigMap("b"));
        await h.WaitAsync(s => s.ContainsKey($"{ns}/b"), Deadline);
        Assert.Equal([$"add {a.Metadata.ResourceVersion}"], h.History($"{ns}/a"));
        Assert.Equal([$"add {b.Metadata.ResourceVersion}"], h.History($"{ns}/b"));

        var mine = requests.Where(u => u.StartsWith("GET ", StringComparison.Ordinal) && u.Contains($"/namespaces/{ns}/configmaps", StringComparison.Ordinal)).ToList();
        Assert.Single(mine, u => u.Contains("sendInitialEvents=true", StringComparison.Ordinal));
        Assert.Contains(mine, u => !u.Contains("watch=true", StringComparison.Ordinal));
        Assert.Contains(mine, u => u.Contains("watch=true", StringComparison.Ordinal) && !u.Contains("sendInitialEvents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchList_WatchCutAfterSync_ResumesWithPlainWatchFromLastResourceVersion()
    {
        var requests = new ConcurrentQueue<string>();
        WatchCutter? cutter = null;
        using var cs = fx.Clientset(inner => new Recorder(cutter = new WatchCutter(inner), requests));
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(TestObjects.ConfigMap("a"));
        var h = new KeyedRecorder<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(cms, new SharedInformerOptions { UseWatchList = true });
        informer.AddEventHandler(h);
        _runs.Add(informer.RunAsync(_stop.Token));
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);

        cutter!.Cut();
        var b = await cms.CreateAsync(TestObjects.ConfigMap("b"));
        var next = cutter.NextWatchStarted();
        cutter.Release();
        await next.WaitAsync(Deadline);
        await h.WaitAsync(s => s.ContainsKey($"{ns}/b"), Deadline);
        Assert.Equal([$"add {b.Metadata.ResourceVersion}"], h.History($"{ns}/b"));

        var mine = requests.Where(u => u.StartsWith("GET ", StringComparison.Ordinal) && u.Contains($"/namespaces/{ns}/configmaps", StringComparison.Ordinal)).ToList();
        Assert.All(mine, u => Assert.Contains("watch=true", u, StringComparison.Ordinal));
        Assert.Single(mine, u => u.Contains("sendInitialEvents=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchList_StreamEndsBeforeEndBookmark_FallsBackToOneListAndStaysSynced()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cms = cs.CoreV1().ConfigMaps(ns);
        await cms.CreateAsync(TestObjects.ConfigMap("a"));
        var truncating = new TruncateFirstWatchList(cms);
        var h = new KeyedRecorder<V1ConfigMap>();
        var informer = new SharedIndexInformer<V1ConfigMap>(truncating, new SharedInformerOptions { UseWatchList = true });
        informer.AddEventHandler(h);
        _runs.Add(informer.RunAsync(_stop.Token));
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        Assert.Equal(["a"], informer.Indexer.List().Select(x => x.Metadata.Name));
        Assert.Equal(1, truncating.Lists);

        var b = await cms.CreateAsync(TestObjects.ConfigMap("b"));
        await h.WaitAsync(s => s.ContainsKey($"{ns}/b"), Deadline);
        Assert.Equal([$"add {b.Metadata.ResourceVersion}"], h.History($"{ns}/b"));
        Assert.Single(h.History($"{ns}/a"));
    }

    /// <summary>Records "METHOD url" of every request.</summary>
    private sealed class Recorder(HttpMessageHandler inner, ConcurrentQueue<string> log) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Enqueue($"{request.Method} {request.RequestUri}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Answers every sendInitialEvents watch with 422 Invalid, as a server without KEP-3157 would.</summary>
    private sealed class RejectSendInitialEvents(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.Query.Contains("sendInitialEvents=true", StringComparison.Ordinal) != true)
            {
                return base.SendAsync(request, cancellationToken);
            }

            const string Status = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled","reason":"Invalid","code":422}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.UnprocessableEntity)
            {
                RequestMessage = request,
                Content = new StringContent(Status, Encoding.UTF8, "application/json"),
            });
        }
    }

    /// <summary>Passes a real lister-watcher through, but holds the initial-events-end bookmark until released.</summary>
    private sealed class BookmarkGate(IListerWatcher<V1ConfigMap> inner) : IListerWatcher<V1ConfigMap>
    {
        private readonly TaskCompletionSource<V1ConfigMap> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _adds;

        public Task<V1ConfigMap> BookmarkReached => _reached.Task;

        public int InitialAdds => Volatile.Read(ref _adds);

        public void Release() => _release.TrySetResult();

        public Task<ObjectList<V1ConfigMap>> ListAsync(ListOptions options, CancellationToken ct) => inner.ListAsync(options, ct);

        public async IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var ev in inner.WatchAsync(options, ct))
            {
                if (ev.Type == k8s.WatchEventType.Added && !_reached.Task.IsCompleted)
                {
                    Interlocked.Increment(ref _adds);
                }

                if (ev.Type == k8s.WatchEventType.Bookmark
                    && ev.Object.Metadata?.Annotations?.TryGetValue("k8s.io/initial-events-end", out var v) == true && v == "true")
                {
                    _reached.TrySetResult(ev.Object);
                    await _release.Task.WaitAsync(ct);
                }

                yield return ev;
            }
        }
    }

    /// <summary>Ends the first streaming-list watch right before its initial-events-end bookmark; counts LISTs.</summary>
    private sealed class TruncateFirstWatchList(IListerWatcher<V1ConfigMap> inner) : IListerWatcher<V1ConfigMap>
    {
        private int _lists;
        private int _truncated;

        public int Lists => Volatile.Read(ref _lists);

        public Task<ObjectList<V1ConfigMap>> ListAsync(ListOptions options, CancellationToken ct)
        {
            Interlocked.Increment(ref _lists);
            return inner.ListAsync(options, ct);
        }

        public async IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
        {
            var truncate = options.SendInitialEvents == true && Interlocked.Exchange(ref _truncated, 1) == 0;
            await foreach (var ev in inner.WatchAsync(options, ct))
            {
                if (truncate && ev.Type == k8s.WatchEventType.Bookmark && ev.Object.Metadata?.Annotations?.ContainsKey("k8s.io/initial-events-end") == true)
                {
                    yield break;
                }

                yield return ev;
            }
        }
    }
}
