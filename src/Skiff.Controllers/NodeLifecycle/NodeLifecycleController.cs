using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>
/// Upstream's <c>nodelifecycle</c> controller (<c>pkg/controller/nodelifecycle/node_lifecycle_controller.go</c>), in its
/// taint-based form (evictions themselves are the taint-eviction controller's):
/// <list type="bullet">
/// <item>Every <see cref="NodeLifecycleOptions.NodeMonitorPeriod"/> each node's health is checked: a change of the
/// Ready condition's heartbeat or a renewal of its Lease in <c>kube-node-lease</c> counts as a probe. A node silent
/// for longer than <see cref="NodeLifecycleOptions.NodeMonitorGracePeriod"/> (startup grace before its first Ready
/// condition) gets Ready, MemoryPressure, DiskPressure and PIDPressure Unknown (reason NodeStatusUnknown, "Kubelet
/// stopped posting node status."), a NodeNotReady event, and its pods Ready=False (MarkPodsNotReady).</item>
/// <item>A node observed NotReady or Unknown is queued, per zone, for the NoExecute taint <c>not-ready</c> or
/// <c>unreachable</c> (swapped instantly between the two); queues drain at <see cref="NodeLifecycleOptions.NodeEvictionRate"/>
/// (burst 1), slower in partially disrupted zones, not at all when every zone is fully disrupted (then all
/// NoExecute taints are lifted, as upstream's "master disruption mode"). A Ready node loses both taints.</item>
/// <item>On every node change the NoSchedule taints follow its conditions (not-ready, unreachable, memory-, disk-,
/// pid-pressure, network-unavailable) and <c>spec.unschedulable</c>.</item>
/// </list>
/// </summary>
internal sealed partial class NodeLifecycleController : IRunnable, IReconciler
{
    /// <summary>The namespace of node heartbeat Leases.</summary>
    public const string LeaseNamespace = "kube-node-lease";

    private readonly ControllerContext _ctx;
    private readonly NodeLifecycleOptions _options;
    private readonly Lister<V1Node> _nodes;
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1Lease> _leases;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NodeHealth> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimitedTimedQueue> _tainters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ZoneState> _zoneStates = new(StringComparer.Ordinal);

    private NodeLifecycleController(ControllerContext ctx, NodeLifecycleOptions options)
    {
        _ctx = ctx;
        _options = options;
        _nodes = ctx.Manager.Informers.Informer<V1Node>().Lister;
        _pods = ctx.Manager.Informers.Informer<V1Pod>().Lister;
        _leases = ctx.Manager.Informers.Informer<V1Lease>().Lister;
        _events = ctx.Manager.CreateEventRecorder("node-controller");
        _logger = ctx.LoggerFactory.CreateLogger<NodeLifecycleController>();
    }

    private TimeProvider Time => _ctx.TimeProvider;

    /// <summary>Wires the controller into the context's manager with default options.</summary>
    public static void Register(ControllerContext ctx) => Register(ctx, new NodeLifecycleOptions());

    /// <summary>Wires the controller into the context's manager.</summary>
    public static void Register(ControllerContext ctx, NodeLifecycleOptions options)
    {
        var c = new NodeLifecycleController(ctx, options);
        ctx.Manager.CreateController().Named("nodelifecycle").For<V1Node>().Complete(c);
        ctx.Manager.Add(c);
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken ct)
    {
        var monitor = LoopAsync(_options.NodeMonitorPeriod, MonitorNodeHealthAsync, ct);
        var taint = LoopAsync(_options.NodeEvictionPeriod, NoExecuteTaintingPassAsync, ct);
        await Task.WhenAll(monitor, taint).ConfigureAwait(false);
    }

    private async Task LoopAsync(TimeSpan period, Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, Time);
        try
        {
            do
            {
                try
                {
                    await pass(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPassFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The NoSchedule pass for one node (upstream's <c>doNoScheduleTaintingPass</c>).</summary>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (_nodes.Get(null, request.Name) is not { } node)
        {
            return ReconcileResult.Done;
        }

        var want = new List<V1Taint>();
        foreach (var c in node.Status?.Conditions ?? [])
        {
            if (Taints.ConditionTaints.TryGetValue((c.Type, c.Status), out var key))
            {
                want.Add(new V1Taint { Key = key, Effect = "NoSchedule" });
            }
        }

        if (node.Spec?.Unschedulable == true)
        {
            want.Add(new V1Taint { Key = Taints.Unschedulable, Effect = "NoSchedule" });
        }

        var managedKeys = Taints.ConditionTaints.Values.Append(Taints.Unschedulable).ToHashSet(StringComparer.Ordinal);
        var have = (node.Spec?.Taints ?? []).Where(t => t.Effect == "NoSchedule" && managedKeys.Contains(t.Key)).ToList();
        var add = want.Where(t => !Taints.Exists(have, t)).ToList();
        var remove = have.Where(t => !Taints.Exists(want, t)).ToList();
        if (add.Count > 0 || remove.Count > 0)
        {
            await SwapTaintsAsync(node.Metadata.Name, add, remove, ct).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    /// <summary>
    /// Upstream's <c>SwapNodeControllerTaint</c>: adds <paramref name="add"/> (NoExecute ones stamped with timeAdded)
    /// and removes <paramref name="remove"/> on a fresh copy of the node, retrying conflicts. Returns false when the
    /// node is gone.
    /// </summary>
    internal async Task<bool> SwapTaintsAsync(string nodeName, IReadOnlyList<V1Taint> add, IReadOnlyList<V1Taint> remove, CancellationToken ct)
    {
        var client = _ctx.Clientset.CoreV1().Nodes();
        for (var attempt = 0; ; attempt++)
        {
            V1Node node;
            try
            {
                node = await client.GetAsync(nodeName, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                return false;
            }

            var taints = (node.Spec?.Taints ?? []).Where(t => !Taints.Exists(remove, t)).ToList();
            var changed = taints.Count != (node.Spec?.Taints?.Count ?? 0);
            foreach (var t in add)
            {
                if (Taints.Exists(taints, t))
                {
                    continue;
                }

                taints.Add(new V1Taint { Key = t.Key, Value = t.Value, Effect = t.Effect, TimeAdded = t.Effect == "NoExecute" ? Time.GetUtcNow().UtcDateTime : null });
                changed = true;
            }

            if (!changed)
            {
                return true;
            }

            node.Spec ??= new V1NodeSpec();
            node.Spec.Taints = taints.Count > 0 ? taints : null;
            try
            {
                await client.UpdateAsync(node, ct: ct).ConfigureAwait(false);
                return true;
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 5)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "node lifecycle pass failed")]
    private partial void LogPassFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "node {Node} hasn't been updated for {Silence}; marking it {Status}")]
    private partial void LogNodeUnknown(string node, TimeSpan silence, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "zone \"{Zone}\" is now in state {State}")]
    private partial void LogZoneState(string zone, ZoneState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "all nodes are not ready: entering master disruption mode, no NoExecute taints")]
    private partial void LogMasterDisruption();
}
