using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Endpoints;

/// <summary>
/// Upstream's <c>endpoint</c> controller (<c>pkg/controller/endpoint/endpoints_controller.go</c>): keeps the Endpoints
/// object named after each Service with a selector in line with the pods the selector picks.
/// <list type="bullet">
/// <item>A pod with an IP that has not finished is an address: ready when its Ready condition is True or the service
/// publishes not-ready addresses, else a not-ready address; a terminating pod only when not-ready addresses are
/// published. Each address names its pod (targetRef), node and, when the pod's subdomain is the service, hostname.</item>
/// <item>Each service port becomes an endpoint port, a named target port resolved per pod (a pod without it is left
/// out of that port); a headless service without ports lists its addresses without ports.</item>
/// <item>The object carries the service's labels, <c>service.kubernetes.io/headless</c> for headless services, the
/// last-change-trigger-time annotation, and past 1000 addresses the over-capacity annotation (truncated).</item>
/// <item>Services without a selector (or ExternalName ones) are left alone; a deleted service's Endpoints are
/// deleted; a deleted Endpoints object of a selecting service is recreated.</item>
/// </list>
/// </summary>
internal sealed partial class EndpointsController : IReconciler
{
    /// <summary>Upstream's <c>--concurrent-endpoint-syncs</c> default.</summary>
    public const int Workers = 5;

    private readonly ControllerContext _ctx;
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1Endpoints> _endpoints;
    private readonly ILogger _logger;

    private EndpointsController(ControllerContext ctx)
    {
        _ctx = ctx;
        _services = ctx.Manager.Informers.Informer<V1Service>().Lister;
        _pods = ctx.Manager.Informers.Informer<V1Pod>().Lister;
        _endpoints = ctx.Manager.Informers.Informer<V1Endpoints>().Lister;
        _logger = ctx.LoggerFactory.CreateLogger<EndpointsController>();
    }

    /// <summary>Wires the controller into the context's manager.</summary>
    public static void Register(ControllerContext ctx)
    {
        var c = new EndpointsController(ctx);
        var controller = ctx.Manager.CreateController()
            .Named("endpoint")
            .For<V1Service>()
            .WithWorkers(Workers)
            .Watches<V1Pod>(p => c.ServicesOf(p))
            .Complete(c);
        ctx.Manager.Informers.Informer<V1Endpoints>().AddEventHandler(new ResourceEventHandler<V1Endpoints>(
            onDelete: (ep, _) => controller.Queue.Add(new ReconcileRequest(ep.Metadata.NamespaceProperty, ep.Metadata.Name))));
    }

    private IEnumerable<ReconcileRequest> ServicesOf(V1Pod pod) =>
        EndpointsUtil.ServicesSelecting(pod.Metadata.NamespaceProperty, pod.Metadata.Labels, _services)
            .Select(s => new ReconcileRequest(s.Metadata.NamespaceProperty, s.Metadata.Name));

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var client = _ctx.Clientset.CoreV1().Endpoints(ns);
        var service = _services.Get(ns, request.Name);
        if (service is null)
        {
            if (_endpoints.Get(ns, request.Name) is not null)
            {
                try
                {
                    await client.DeleteAsync(request.Name, ct: ct).ConfigureAwait(false);
                }
                catch (KubernetesApiException e) when (e.IsNotFound)
                {
                }
            }

            return ReconcileResult.Done;
        }

        if (!EndpointsUtil.HasSelector(service))
        {
            return ReconcileResult.Done;
        }

        var pods = EndpointsUtil.SelectedPods(service, _pods).ToList();
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var entries = new List<EndpointSubsets.Entry>();
        foreach (var pod in pods)
        {
            if (!EndpointsUtil.ShouldPodBeInEndpoints(pod, publishNotReady))
            {
                continue;
            }

            var address = new V1EndpointAddress
            {
                Ip = EndpointsUtil.PodIp(pod),
                NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
                Hostname = EndpointsUtil.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
                TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            };
            var ready = publishNotReady || Common.PodStatusUtil.IsReady(pod);
            if (service.Spec.Ports is not { Count: > 0 })
            {
                if (service.Spec.ClusterIP == "None")
                {
                    entries.Add(new(address, ready, null));
                }

                continue;
            }

            foreach (var sp in service.Spec.Ports)
            {
                if (EndpointsUtil.FindPort(pod, sp) is not { } port)
                {
                    LogNoPort(service.Metadata.Name, sp.Name ?? "", pod.Metadata.Name);
                    continue;
                }

                entries.Add(new(address, ready, new Corev1EndpointPort { Name = sp.Name, Port = port, Protocol = sp.Protocol ?? "TCP", AppProtocol = sp.AppProtocol }));
            }
        }

        var subsets = EndpointSubsets.Repack(entries);
        var current = _endpoints.Get(ns, service.Metadata.Name);
        var currentLabels = new Dictionary<string, string>(current?.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        currentLabels.Remove(EndpointsUtil.HeadlessLabel);
        var serviceLabels = service.Metadata.Labels ?? new Dictionary<string, string>();
        if (current is not null && EndpointSubsets.Equal(current.Subsets, subsets) &&
            currentLabels.Count == serviceLabels.Count && serviceLabels.All(kv => currentLabels.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
            EndpointSubsets.CapacityAnnotationCorrect(current.Metadata.Annotations, current.Subsets))
        {
            return ReconcileResult.Done;
        }

        var desired = current is null
            ? new V1Endpoints { Metadata = new V1ObjectMeta { Name = service.Metadata.Name, NamespaceProperty = ns } }
            : Skiff.Client.Rest.KubernetesSerialization.DeepCopy(current);
        desired.Subsets = subsets;
        desired.Metadata.Labels = new Dictionary<string, string>(serviceLabels, StringComparer.Ordinal);
        if (!EndpointsUtil.IsServiceIpSet(service))
        {
            desired.Metadata.Labels[EndpointsUtil.HeadlessLabel] = "";
        }

        var annotations = desired.Metadata.Annotations = new Dictionary<string, string>(desired.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (EndpointsUtil.TriggerTime(service, pods) is { } trigger)
        {
            annotations[EndpointsUtil.LastChangeTriggerTime] = trigger;
        }
        else
        {
            annotations.Remove(EndpointsUtil.LastChangeTriggerTime);
        }

        if (EndpointSubsets.Truncate(subsets))
        {
            annotations[EndpointSubsets.OverCapacity] = "truncated";
        }
        else
        {
            annotations.Remove(EndpointSubsets.OverCapacity);
        }

        try
        {
            if (current is null)
            {
                await client.CreateAsync(desired, ct: ct).ConfigureAwait(false);
            }
            else
            {
                await client.UpdateAsync(desired, ct: ct).ConfigureAwait(false);
            }
        }
        catch (KubernetesApiException e) when (e.IsForbidden && current is null)
        {
            // The namespace is terminating: nothing to do (upstream drops it too).
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists || e.IsConflict)
        {
            // Our cache lags the server: try again once it caught up.
            return ReconcileResult.After(TimeSpan.FromMilliseconds(100));
        }

        return ReconcileResult.Done;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "service {Service}: port {Port} not found on pod {Pod}")]
    private partial void LogNoPort(string service, string port, string pod);
}
