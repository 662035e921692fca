using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.NodeLifecycle;

namespace Skiff.Controllers.TaintEviction;

/// <summary>
/// Upstream's <c>taint-eviction-controller</c> (<c>pkg/controller/tainteviction/taint_eviction.go</c>): deletes pods
/// bound to nodes with NoExecute taints they do not tolerate.
/// <list type="bullet">
/// <item>A pod that does not tolerate every NoExecute taint of its node is deleted at once.</item>
/// <item>A pod tolerating them all is deleted after the smallest <c>tolerationSeconds</c> of the tolerations used,
/// counted from when the controller first saw it so (a later change does not restart the clock); tolerations
/// without <c>tolerationSeconds</c> keep it forever; a taint removed in time cancels the deletion (event
/// TaintManagerEviction "Cancelling deletion").</item>
/// <item>Before deleting, the pod gets the condition DisruptionTarget=True (reason DeletionByTaintManager) and a
/// TaintManagerEviction event "Marking for deletion".</item>
/// </list>
/// </summary>
internal sealed partial class TaintEvictionController : IReconciler
{
    private readonly ControllerContext _ctx;
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1Node> _nodes;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (DateTimeOffset CreatedAt, DateTimeOffset FireAt)> _scheduled = new(StringComparer.Ordinal);

    private TaintEvictionController(ControllerContext ctx)
    {
        _ctx = ctx;
        _pods = ctx.Manager.Informers.Informer<V1Pod>().Lister;
        _nodes = ctx.Manager.Informers.Informer<V1Node>().Lister;
        _events = ctx.Manager.CreateEventRecorder("taint-eviction-controller");
        _logger = ctx.LoggerFactory.CreateLogger<TaintEvictionController>();
    }

    /// <summary>Wires the controller into the context's manager.</summary>
    public static void Register(ControllerContext ctx)
    {
        var c = new TaintEvictionController(ctx);
        var controller = ctx.Manager.CreateController()
            .Named("taint-eviction-controller")
            .For<V1Pod>(p => !string.IsNullOrEmpty(p.Spec?.NodeName))
            .WithWorkers(8)
            .Complete(c);
        ctx.Manager.Informers.Informer<V1Node>().AddEventHandler(new ResourceEventHandler<V1Node>(
            onAdd: (n, _) => c.EnqueuePodsOn(controller, n),
            onUpdate: (o, n) =>
            {
                if (!SameTaints(NoExecute(o), NoExecute(n)))
                {
                    c.EnqueuePodsOn(controller, n);
                }
            },
            onDelete: (n, _) => c.EnqueuePodsOn(controller, n)));
    }

    private void EnqueuePodsOn(Controller controller, V1Node node)
    {
        foreach (var p in _pods.List().Where(p => p.Spec?.NodeName == node.Metadata.Name))
        {
            controller.Queue.Add(new ReconcileRequest(p.Metadata.NamespaceProperty, p.Metadata.Name));
        }
    }

    private static List<V1Taint> NoExecute(V1Node? node) => [.. (node?.Spec?.Taints ?? []).Where(t => t.Effect == "NoExecute")];

    private static bool SameTaints(List<V1Taint> a, List<V1Taint> b) =>
        a.Count == b.Count && a.All(t => b.Any(x => x.Key == t.Key && x.Value == t.Value && x.Effect == t.Effect));

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var key = request.ToString();
        var pod = _pods.Get(request.Namespace, request.Name);
        if (pod is null || string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Metadata.DeletionTimestamp is not null)
        {
            _scheduled.TryRemove(key, out _);
            return ReconcileResult.Done;
        }

        var now = _ctx.TimeProvider.GetUtcNow();
        var taints = NoExecute(_nodes.Get(null, pod.Spec.NodeName));
        if (taints.Count == 0)
        {
            Cancel(key, pod);
            return ReconcileResult.Done;
        }

        var (all, used) = Taints.Matching(taints, pod.Spec.Tolerations);
        if (!all)
        {
            _scheduled.TryRemove(key, out _);
            await EvictAsync(pod, ct).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        // Upstream's getMinTolerationTime: the smallest tolerationSeconds (negative counts as 0); none: forever.
        var seconds = used.Where(t => t.TolerationSeconds is not null).Select(t => Math.Max(0, t.TolerationSeconds!.Value)).DefaultIfEmpty(-1).Min();
        if (seconds < 0)
        {
            Cancel(key, pod);
            return ReconcileResult.Done;
        }

        var min = TimeSpan.FromSeconds(seconds);
        // An eviction already scheduled keeps its time (upstream only reschedules when that would be later, which it never is).
        var (_, fireAt) = _scheduled.GetOrAdd(key, (now, now + min));
        if (now < fireAt)
        {
            return ReconcileResult.After(fireAt - now);
        }

        _scheduled.TryRemove(key, out _);
        await EvictAsync(pod, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private void Cancel(string key, V1Pod pod)
    {
        if (_scheduled.TryRemove(key, out _))
        {
            _events.Event(pod, EventRecorder.Normal, "TaintManagerEviction", $"Cancelling deletion of Pod {key}");
        }
    }

    /// <summary>Upstream's <c>addConditionAndDeletePod</c>.</summary>
    private async Task EvictAsync(V1Pod pod, CancellationToken ct)
    {
        var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
        LogEvicting(key, pod.Spec.NodeName);
        _events.Event(pod, EventRecorder.Normal, "TaintManagerEviction", $"Marking for deletion Pod {key}");
        var client = _ctx.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty);
        try
        {
            if (pod.Status?.Conditions?.Any(c => c.Type == "DisruptionTarget" && c.Status == "True" && c.Reason == "DeletionByTaintManager") != true)
            {
                var conditions = new JsonArray();
                foreach (var c in pod.Status?.Conditions ?? [])
                {
                    if (c.Type != "DisruptionTarget")
                    {
                        conditions.Add(JsonNode.Parse(KubernetesSerialization.Serialize(c)));
                    }
                }

                conditions.Add(new JsonObject
                {
                    ["type"] = "DisruptionTarget",
                    ["status"] = "True",
                    ["reason"] = "DeletionByTaintManager",
                    ["message"] = "Taint manager: deleting due to NoExecute taint",
                    ["lastTransitionTime"] = _ctx.TimeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                });
                var patch = new JsonObject
                {
                    ["status"] = new JsonObject { ["conditions"] = conditions },
                };
                await client.PatchAsync(pod.Metadata.Name, PatchType.Merge, patch, subresource: "status", ct: ct).ConfigureAwait(false);
            }

            await client.DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting pod {Pod}: NoExecute taints of node {Node} not tolerated")]
    private partial void LogEvicting(string pod, string node);
}
