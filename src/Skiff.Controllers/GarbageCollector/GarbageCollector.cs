using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Schema;
using Skiff.Client.WorkQueue;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// Upstream's <c>garbagecollector</c> controller (<c>pkg/controller/garbagecollector</c>): a
/// <see cref="DependencyGraphBuilder"/> over every resource that supports list, watch and delete (events excepted),
/// found through discovery and re-discovered every <see cref="ResyncPeriod"/>, and two pools of workers:
/// <list type="bullet">
/// <item>attempt-to-delete (<see cref="DeleteWorkers"/>): checks a node against the API server and deletes it when
/// none of its owners is solid (Background), removes references to dangling owners from an object that still has a
/// solid owner, and finishes foreground deletions (removes <c>foregroundDeletion</c> once no dependent with
/// <c>blockOwnerDeletion</c> is left);</item>
/// <item>attempt-to-orphan (<see cref="OrphanWorkers"/>): removes an owner's references from its dependents, then its
/// <c>orphan</c> finalizer.</item>
/// </list>
/// Owners are always verified with a live GET (absent, or present with another uid, means dangling) before a dependent
/// is deleted; deletes carry a uid precondition. Failures are retried with the queues' backoff.
/// </summary>
public sealed partial class GarbageCollector : IRunnable
{
    /// <summary>How often discovery is re-read for new resource types (upstream's 30 s).</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Upstream's <c>--concurrent-gc-syncs</c> default.</summary>
    public const int DeleteWorkers = 20;

    /// <summary>Workers of the orphan queue.</summary>
    public const int OrphanWorkers = 5;

    private static readonly HashSet<(string Group, string Resource)> Ignored = [("", "events"), ("events.k8s.io", "events")];

    private readonly DynamicClient _dynamic;
    private readonly DiscoveryClient _discovery;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ResourceMapper _mapper;
    private readonly RateLimitingQueue<GraphNode> _attemptToDelete;
    private readonly RateLimitingQueue<GraphNode> _attemptToOrphan;
    private DependencyGraphBuilder? _graph;

    /// <summary>Released when a CustomResourceDefinition changes: the served set may have changed, so discovery is re-read at once.</summary>
    private readonly SemaphoreSlim _servedSetChanged = new(0);

    private GarbageCollector(ControllerContext context)
    {
        _dynamic = context.Dynamic;
        _discovery = context.Discovery;
        _time = context.TimeProvider;
        _loggerFactory = context.LoggerFactory;
        _logger = context.LoggerFactory.CreateLogger("Skiff.Controllers.GarbageCollector");
        _mapper = new ResourceMapper(context.Discovery);
        _attemptToDelete = new RateLimitingQueue<GraphNode>(RateLimiters.DefaultController<GraphNode>(_time),
            new WorkQueueOptions { Name = "garbage_collector_attempt_to_delete", TimeProvider = _time });
        _attemptToOrphan = new RateLimitingQueue<GraphNode>(RateLimiters.DefaultController<GraphNode>(_time),
            new WorkQueueOptions { Name = "garbage_collector_attempt_to_orphan", TimeProvider = _time });
    }

    /// <summary>The resources monitored so far (empty until running).</summary>
    internal IReadOnlyCollection<GroupVersionResource> Monitored => _graph?.Monitored ?? [];

    /// <summary>Wires the collector into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context) => context.Manager.Add(new GarbageCollector(context));

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken ct)
    {
        var informers = new DynamicSharedInformerFactory(_dynamic, new SharedInformerOptions { TimeProvider = _time, LoggerFactory = _loggerFactory });
        await using (informers.ConfigureAwait(false))
        {
            var graph = new DependencyGraphBuilder(informers, _attemptToDelete, _attemptToOrphan, new AbsentOwnerCache(), _logger);
            _graph = graph;
            var processing = graph.RunAsync(ct);
            var tasks = new List<Task> { processing };
            try
            {
                graph.SyncMonitors(await FirstDiscoveryAsync(ct).ConfigureAwait(false));
                WatchServedSet(informers);
                await informers.StartAsync(ct).ConfigureAwait(false);
                await informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
                LogSynced(graph.Monitored.Count);
                tasks.AddRange(Enumerable.Range(0, DeleteWorkers).Select(_ => Task.Run(() => WorkAsync(_attemptToDelete, n => AttemptToDeleteItemAsync(graph, n, ct), ct), CancellationToken.None)));
                tasks.AddRange(Enumerable.Range(0, OrphanWorkers).Select(_ => Task.Run(() => WorkAsync(_attemptToOrphan, n => AttemptToOrphanAsync(graph, n, ct), ct), CancellationToken.None)));
                tasks.Add(ResyncAsync(graph, ct));
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            finally
            {
                _attemptToDelete.ShutDown();
                _attemptToOrphan.ShutDown();
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Preferred resources that support delete, list and watch (upstream's <c>GetDeletableResources</c>), minus events.</summary>
    private async Task<IReadOnlyList<DiscoveredResource>> DeletableResourcesAsync(CancellationToken ct)
    {
        var doc = await _discovery.GetAsync(ct).ConfigureAwait(false);
        return [.. doc.PreferredResources().Where(r => r.Verbs.Contains("delete") && r.Verbs.Contains("list") && r.Verbs.Contains("watch")
            && !Ignored.Contains((r.Resource.Group, r.Resource.Resource)))];
    }

    /// <summary>The first discovery; retried every second until it succeeds (the API server may still be starting).</summary>
    private async Task<IReadOnlyList<DiscoveredResource>> FirstDiscoveryAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await DeletableResourcesAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
            {
                LogResyncFailed(e);
                _discovery.Invalidate();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Custom resources come and go with CRDs: a CRD event (established, changed or deleted) triggers a discovery
    /// resync, so their objects are monitored without waiting for <see cref="ResyncPeriod"/>.
    /// </summary>
    private void WatchServedSet(DynamicSharedInformerFactory informers)
    {
        var crds = new GroupVersionResource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
        if (_graph?.Monitored.Contains(crds) != true)
        {
            return;
        }

        void Changed() => _servedSetChanged.Release();
        informers.ForResource(crds).AddEventHandler(new ResourceEventHandler<DynamicObject>((_, _) => Changed(), (_, _) => Changed(), (_, _) => Changed()));
    }

    private async Task ResyncAsync(DependencyGraphBuilder graph, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var period = Task.Delay(ResyncPeriod, _time, wake.Token);
                    var changed = _servedSetChanged.WaitAsync(wake.Token);
                    await Task.WhenAny(period, changed).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                    while (_servedSetChanged.CurrentCount > 0)
                    {
                        await _servedSetChanged.WaitAsync(ct).ConfigureAwait(false);
                    }
                }

                try
                {
                    _discovery.Invalidate();
                    var added = graph.SyncMonitors(await DeletableResourcesAsync(ct).ConfigureAwait(false));
                    if (added.Count > 0)
                    {
                        LogMonitorsAdded(added.Count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogResyncFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Drains <paramref name="queue"/>: forget on success, rate-limited requeue on failure or when asked to.</summary>
    private async Task WorkAsync(RateLimitingQueue<GraphNode> queue, Func<GraphNode, Task<bool>> attempt, CancellationToken ct)
    {
        while (true)
        {
            GraphNode node;
            try
            {
                node = await queue.GetAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WorkQueueShutDownException or OperationCanceledException)
            {
                return;
            }

            try
            {
                if (await attempt(node).ConfigureAwait(false))
                {
                    queue.AddRateLimited(node);
                }
                else
                {
                    queue.Forget(node);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (NamespacedOwnerException)
            {
                // Will not resolve on retry.
                queue.Forget(node);
            }
            catch (Exception e)
            {
                LogAttemptFailed(node.ToString(), e);
                queue.AddRateLimited(node);
            }
            finally
            {
                queue.Done(node);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "garbage collector: all {Count} resource monitors have synced")]
    private partial void LogSynced(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "garbage collector: {Count} new resource monitors")]
    private partial void LogMonitorsAdded(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector: re-reading discovery failed")]
    private partial void LogResyncFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collector: error syncing item {Item}")]
    private partial void LogAttemptFailed(string item, Exception e);
}
