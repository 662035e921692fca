using System.Diagnostics;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Kubelet.Status;

namespace Skiff.Kubelet.Hollow;

/// <summary>The lease loop and the node status loop: one each for all nodes (upstream's <c>pkg/kubelet/nodelease</c> and <c>updateNodeStatus</c>).</summary>
public sealed partial class HollowNodeSet
{
    /// <summary>How long the last pass of the lease loop over all nodes took (wall clock); it must stay below the renew interval.</summary>
    public TimeSpan LastLeasePass { get; private set; }

    private ParallelOptions Parallelism(CancellationToken ct) => new() { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = ct };

    private async Task EnsureLeaseAsync(HollowNode node, CancellationToken ct)
    {
        var leases = ClientOf(node).CoordinationV1().Leases(LeaseNamespace);
        try
        {
            var created = await leases.CreateAsync(Lease(node, null), ct: ct).ConfigureAwait(false);
            node.LeaseResourceVersion = created.Metadata.ResourceVersion;
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            var existing = await leases.GetAsync(node.Name, ct: ct).ConfigureAwait(false);
            node.LeaseResourceVersion = existing.Metadata.ResourceVersion;
        }
    }

    private V1Lease Lease(HollowNode node, string? resourceVersion) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = node.Name,
            NamespaceProperty = LeaseNamespace,
            ResourceVersion = resourceVersion,
            OwnerReferences = node.Uid is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Name, Uid = node.Uid }],
        },
        Spec = new V1LeaseSpec
        {
            HolderIdentity = node.Name,
            LeaseDurationSeconds = _options.LeaseDurationSeconds,
            RenewTime = _time.GetUtcNow().UtcDateTime,
        },
    };

    /// <summary>Renews every heartbeating node's Lease each interval; a conflict re-reads the Lease, a missing one is recreated.</summary>
    private async Task LeaseLoopAsync(Task first, CancellationToken ct)
    {
        var tick = first;
        while (!ct.IsCancellationRequested)
        {
            await tick.ConfigureAwait(false);
            tick = Task.Delay(_options.LeaseRenewInterval, _time, ct);
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(_ordered.Where(n => !n.Silent), Parallelism(ct), RenewAsync).ConfigureAwait(false);
            LastLeasePass = Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>Renews <paramref name="node"/>'s Lease once now (the lease loop's step).</summary>
    internal async ValueTask RenewAsync(HollowNode node, CancellationToken ct)
    {
        var leases = ClientOf(node).CoordinationV1().Leases(LeaseNamespace);
        try
        {
            var updated = await leases.UpdateAsync(Lease(node, node.LeaseResourceVersion), ct: ct).ConfigureAwait(false);
            node.LeaseResourceVersion = updated.Metadata.ResourceVersion;
            Interlocked.Increment(ref _leaseRenewals);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e))
        {
            try
            {
                await EnsureLeaseAsync(node, ct).ConfigureAwait(false);
                var updated = await leases.UpdateAsync(Lease(node, node.LeaseResourceVersion), ct: ct).ConfigureAwait(false);
                node.LeaseResourceVersion = updated.Metadata.ResourceVersion;
                Interlocked.Increment(ref _leaseRenewals);
            }
            catch (Exception again) when (again is KubernetesApiException or HttpRequestException)
            {
                LogNodeFailed(_logger, node.Name, "lease renewal", again.Message);
            }
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            LogNodeFailed(_logger, node.Name, "lease renewal", e.Message);
        }
    }

    /// <summary>Each update period, posts a node's status when it changed from the informer's copy or the report frequency elapsed.</summary>
    private async Task NodeStatusLoopAsync(Task first, CancellationToken ct)
    {
        var tick = first;
        while (!ct.IsCancellationRequested)
        {
            await tick.ConfigureAwait(false);
            tick = Task.Delay(_options.NodeStatusUpdateFrequency, _time, ct);
            await Parallel.ForEachAsync(_ordered.Where(n => !n.Silent), Parallelism(ct), (n, c) => PostStatusAsync(n, force: false, c)).ConfigureAwait(false);
        }
    }

    /// <summary>Posts <paramref name="node"/>'s status if it changed, the report frequency elapsed, or <paramref name="force"/>.</summary>
    internal async ValueTask PostStatusAsync(HollowNode node, bool force, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var cached = _nodeInformer?.Lister.Get(null, node.Name);
        var status = NodeStatusBuilder.Build(Runtime(node), cached?.Status, now);
        if (!force && cached is not null && !NodeStatusBuilder.Changed(cached.Status, status) && now - node.LastStatusPost < _options.NodeStatusReportFrequency)
        {
            return;
        }

        // Counted before the request, so whoever sees the status on a watch also sees the count; taken back on failure.
        Interlocked.Increment(ref _nodeStatusPosts);
        try
        {
            // A JSON merge patch replaces the lists whole (upstream replaces addresses whole too; see pr.k8s.io/79391).
            await ClientOf(node).CoreV1().Nodes().PatchAsync(node.Name, PatchType.Merge, new Dictionary<string, object> { ["status"] = status },
                subresource: "status", ct: ct).ConfigureAwait(false);
            node.LastStatusPost = now;
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            Interlocked.Decrement(ref _nodeStatusPosts);
            LogNodeFailed(_logger, node.Name, "status update", e.Message);
        }
    }
}
