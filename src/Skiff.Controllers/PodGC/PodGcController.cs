using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.PodGC;

/// <summary>
/// Upstream's <c>podgc</c> controller (<c>pkg/controller/podgc/gc_controller.go</c>). Every
/// <see cref="PodGcOptions.Period"/> it force-deletes (grace period 0):
/// <list type="bullet">
/// <item>terminated pods (Succeeded, Failed) beyond <see cref="PodGcOptions.TerminatedPodThreshold"/>, evicted ones
/// first, then the oldest by creation, names breaking ties;</item>
/// <item>pods bound to a node that does not exist, once the node has been missing for
/// <see cref="PodGcOptions.Quarantine"/> and a GET confirms it; such a pod first gets the DisruptionTarget condition
/// (reason DeletionByPodGC) and, unless terminal, phase Failed;</item>
/// <item>terminating pods that were never scheduled.</item>
/// </list>
/// </summary>
internal sealed partial class PodGcController : IRunnable
{
    private readonly ControllerContext _ctx;
    private readonly PodGcOptions _options;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    private PodGcController(ControllerContext ctx, PodGcOptions options)
    {
        _ctx = ctx;
        _options = options;
        _pods = ctx.Manager.Informers.Informer<V1Pod>();
        _nodes = ctx.Manager.Informers.Informer<V1Node>();
        _logger = ctx.LoggerFactory.CreateLogger<PodGcController>();
    }

    /// <summary>Registers the collector with the context's manager (<paramref name="options"/>: upstream's defaults).</summary>
    public static PodGcController Register(ControllerContext ctx, PodGcOptions? options = null)
    {
        var c = new PodGcController(ctx, options ?? new PodGcOptions());
        ctx.Manager.Add(c);
        return c;
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(_pods.WaitForCacheSyncAsync(ct), _nodes.WaitForCacheSyncAsync(ct)).ConfigureAwait(false);
            using var timer = new PeriodicTimer(_options.Period, _ctx.TimeProvider);
            do
            {
                try
                {
                    await GcAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KubernetesApiException or HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    LogPassFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>One pass (upstream's <c>gc</c>).</summary>
    public async Task GcAsync(CancellationToken ct)
    {
        var pods = _pods.Lister.List();
        if (_options.TerminatedPodThreshold > 0)
        {
            await GcTerminatedAsync(pods, ct).ConfigureAwait(false);
        }

        await GcOrphanedAsync(pods, ct).ConfigureAwait(false);
        await GcUnscheduledTerminatingAsync(pods, ct).ConfigureAwait(false);
    }

    private async Task GcTerminatedAsync(IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        var terminated = pods.Where(p => p.Status?.Phase is "Succeeded" or "Failed").ToList();
        var deleteCount = terminated.Count - _options.TerminatedPodThreshold;
        if (deleteCount <= 0)
        {
            return;
        }

        LogGcTerminated(deleteCount, _options.TerminatedPodThreshold);
        var order = terminated
            .OrderBy(p => p.Status?.Phase == "Failed" && p.Status.Reason == "Evicted" ? 0 : 1)
            .ThenBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal);
        foreach (var pod in order.Take(deleteCount))
        {
            await MarkFailedAndDeleteAsync(pod, null, ct).ConfigureAwait(false);
        }
    }

    private async Task GcOrphanedAsync(IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        var now = _ctx.TimeProvider.GetUtcNow();
        var existing = _nodes.Lister.List().Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Spec?.NodeName is { Length: > 0 } node && !existing.Contains(node))
            {
                wanted.Add(node);
                _missingSince.TryAdd(node, now);
            }
        }

        var deleted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in _missingSince.Keys.ToList())
        {
            if (!wanted.Contains(node) || existing.Contains(node))
            {
                _missingSince.Remove(node);
                continue;
            }

            if (now - _missingSince[node] < _options.Quarantine)
            {
                continue;
            }

            try
            {
                await _ctx.Clientset.CoreV1().Nodes().GetAsync(node, ct: ct).ConfigureAwait(false);
                _missingSince.Remove(node);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                deleted.Add(node);
            }
        }

        foreach (var pod in pods.Where(p => p.Spec?.NodeName is { } n && deleted.Contains(n)))
        {
            LogOrphaned(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Spec.NodeName);
            await MarkFailedAndDeleteAsync(pod, new V1PodCondition
            {
                Type = "DisruptionTarget",
                Status = "True",
                Reason = "DeletionByPodGC",
                Message = "PodGC: node no longer exists",
                LastTransitionTime = now.UtcDateTime,
            }, ct).ConfigureAwait(false);
        }

        foreach (var node in deleted)
        {
            _missingSince.Remove(node);
        }
    }

    private async Task GcUnscheduledTerminatingAsync(IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is not null && string.IsNullOrEmpty(p.Spec?.NodeName)))
        {
            LogUnscheduled(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            await MarkFailedAndDeleteAsync(pod, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Upstream's <c>markFailedAndDeletePodWithCondition</c>: a pod that is not terminal gets phase Failed (and the
    /// condition) in its status first; then it is deleted with grace period 0.
    /// </summary>
    private async Task MarkFailedAndDeleteAsync(V1Pod pod, V1PodCondition? condition, CancellationToken ct)
    {
        var pods = _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty);
        try
        {
            if (pod.Status?.Phase is not ("Succeeded" or "Failed"))
            {
                var status = KubernetesSerialization.DeepCopy(pod.Status) ?? new V1PodStatus();
                status.Phase = "Failed";
                if (condition is not null)
                {
                    status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
                }

                var patch = new Dictionary<string, object?>
                {
                    ["metadata"] = new Dictionary<string, object?> { ["uid"] = pod.Metadata.Uid },
                    ["status"] = new Dictionary<string, object?> { ["phase"] = "Failed", ["conditions"] = status.Conditions },
                };
                await pods.PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, subresource: "status", ct: ct).ConfigureAwait(false);
            }

            await pods.DeleteAsync(pod.Metadata.Name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Metadata.Uid }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Gone already, or replaced by a pod of the same name.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "garbage collecting {Count} terminated pods (threshold {Threshold})")]
    private partial void LogGcTerminated(int count, int threshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting pod {Namespace}/{Name}: bound to node {Node}, which no longer exists")]
    private partial void LogOrphaned(string @namespace, string name, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting unscheduled terminating pod {Namespace}/{Name}")]
    private partial void LogUnscheduled(string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod GC pass failed")]
    private partial void LogPassFailed(Exception e);
}
