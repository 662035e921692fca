using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Endpoints;

namespace Skiff.Controllers.EndpointSlice;

/// <summary>
/// Upstream's <c>endpointslice</c> controller (<c>pkg/controller/endpointslice</c> with
/// <c>k8s.io/endpointslice/reconciler.go</c>): the discovery.k8s.io/v1 EndpointSlices (addressType IPv4) of each
/// Service with a selector.
/// <list type="bullet">
/// <item>Slices are labelled <c>kubernetes.io/service-name</c> and <c>endpointslice.kubernetes.io/managed-by:
/// endpointslice-controller.k8s.io</c> (plus the service's labels and the headless label), controlled by the
/// Service (GC deletes them with it), named by generateName <c>&lt;service&gt;-</c>, and hold at most
/// <see cref="EndpointSliceControllerOptions.MaxEndpointsPerSlice"/> endpoints of one port list.</item>
/// <item>Every pod with an IP that has not finished is an endpoint, terminating ones included: ready = (Ready and not
/// terminating) or publishNotReadyAddresses, serving = Ready or publishNotReadyAddresses, terminating = being
/// deleted; with nodeName, its node's <c>topology.kubernetes.io/zone</c>, hostname (subdomain = service) and
/// targetRef. A pod whose node is unknown is skipped (unless not-ready addresses are published) and the service
/// retried.</item>
/// <item><see cref="SliceReconciler"/> places endpoints with minimal churn; <see cref="SliceTracker"/> holds syncs
/// until the cache shows this controller's own writes.</item>
/// </list>
/// </summary>
internal sealed partial class EndpointSliceController : IReconciler
{
    /// <summary>The managed-by label value of this controller's slices.</summary>
    public const string ControllerName = "endpointslice-controller.k8s.io";

    /// <summary>The label naming a slice's service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label naming a slice's manager.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    /// <summary>The node label a slice endpoint's zone comes from.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    private readonly ControllerContext _ctx;
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1Node> _nodes;
    private readonly Lister<V1EndpointSlice> _slices;
    private readonly SliceReconciler _reconciler;
    private readonly SliceTracker _tracker = new();
    private readonly SliceWriter _writer;
    private readonly ILogger _logger;

    private EndpointSliceController(ControllerContext ctx, EndpointSliceControllerOptions options)
    {
        _ctx = ctx;
        _services = ctx.Manager.Informers.Informer<V1Service>().Lister;
        _pods = ctx.Manager.Informers.Informer<V1Pod>().Lister;
        _nodes = ctx.Manager.Informers.Informer<V1Node>().Lister;
        _slices = ctx.Manager.Informers.Informer<V1EndpointSlice>().Lister;
        _reconciler = new SliceReconciler(options.MaxEndpointsPerSlice);
        _writer = new SliceWriter(ctx.Clientset);
        _logger = ctx.LoggerFactory.CreateLogger<EndpointSliceController>();
    }

    /// <summary>Wires the controller into the context's manager with default options.</summary>
    public static void Register(ControllerContext ctx) => Register(ctx, new EndpointSliceControllerOptions());

    /// <summary>Wires the controller into the context's manager.</summary>
    public static void Register(ControllerContext ctx, EndpointSliceControllerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEndpointsPerSlice, 1);
        var c = new EndpointSliceController(ctx, options);
        ctx.Manager.CreateController()
            .Named("endpointslice")
            .For<V1Service>()
            .WithWorkers(options.Workers)
            .Watches<V1Pod>(p => EndpointsUtil.ServicesSelecting(p.Metadata.NamespaceProperty, p.Metadata.Labels, c._services)
                .Select(s => new ReconcileRequest(s.Metadata.NamespaceProperty, s.Metadata.Name)))
            .Watches<V1EndpointSlice>(s => ServiceOf(s, ControllerName))
            .Complete(c);
        ctx.Manager.Informers.Informer<V1EndpointSlice>().AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(
            onDelete: (s, _) =>
            {
                if (ServiceOf(s, ControllerName).FirstOrDefault() is { } r)
                {
                    c._tracker.Forget(r.ToString(), s.Metadata.Name);
                }
            }));
    }

    /// <summary>The owner request of a slice managed by <paramref name="manager"/>, if any.</summary>
    internal static IEnumerable<ReconcileRequest> ServiceOf(V1EndpointSlice slice, string manager) =>
        slice.Metadata.Labels is { } l && l.TryGetValue(ManagedByLabel, out var m) && m == manager &&
        l.TryGetValue(ServiceNameLabel, out var svc) && svc.Length > 0
            ? [new ReconcileRequest(slice.Metadata.NamespaceProperty, svc)]
            : [];

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var key = request.ToString();
        var service = _services.Get(ns, request.Name);
        if (service is null)
        {
            // The garbage collector deletes the slices with the service.
            _tracker.ForgetOwner(key);
            return ReconcileResult.Done;
        }

        if (!EndpointsUtil.HasSelector(service))
        {
            return ReconcileResult.Done;
        }

        var existing = _slices.List(ns, new Dictionary<string, string> { [ServiceNameLabel] = service.Metadata.Name, [ManagedByLabel] = ControllerName });
        if (_tracker.Stale(key, existing))
        {
            // A slice event requeues the service once the cache caught up.
            return ReconcileResult.Done;
        }

        var pods = EndpointsUtil.SelectedPods(service, _pods).ToList();
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var groups = new Dictionary<string, (IList<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints)>(StringComparer.Ordinal);
        var missingNode = false;
        foreach (var pod in pods)
        {
            if (!EndpointsUtil.ShouldPodBeInEndpoints(pod, includeTerminating: true))
            {
                continue;
            }

            var ports = EndpointPorts(service, pod);
            var pk = SliceKeys.Ports(ports);
            if (!groups.TryGetValue(pk, out var group))
            {
                groups[pk] = group = (ports, []);
            }

            var node = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : _nodes.Get(null, pod.Spec.NodeName);
            if (node is null && !publishNotReady)
            {
                LogMissingNode(PodKey(pod), key, pod.Spec?.NodeName ?? "");
                missingNode = true;
                continue;
            }

            group.Endpoints.Add(ToEndpoint(pod, node, service));
        }

        var desired = groups.Values.Select(g => new SliceReconciler.Desired(g.Ports, g.Endpoints)).ToList();
        var plan = _reconciler.Reconcile(desired, existing,
            s => s.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == "Service" && o.Uid == service.Metadata.Uid) == true,
            ports => NewSlice(service, ports),
            s => FixLabels(s, service));
        var trigger = EndpointsUtil.TriggerTime(service, pods);
        foreach (var s in plan.Create.Concat(plan.Update))
        {
            s.Metadata.Annotations ??= new Dictionary<string, string>();
            if (trigger is not null)
            {
                s.Metadata.Annotations[EndpointsUtil.LastChangeTriggerTime] = trigger;
            }
            else
            {
                s.Metadata.Annotations.Remove(EndpointsUtil.LastChangeTriggerTime);
            }
        }

        await _writer.ApplyAsync(key, ns, plan, _tracker, ct).ConfigureAwait(false);
        return missingNode ? ReconcileResult.After(TimeSpan.FromSeconds(1)) : ReconcileResult.Done;
    }

    /// <summary>Upstream's <c>getEndpointPorts</c>: each service port the pod has, named target ports resolved.</summary>
    internal static List<Discoveryv1EndpointPort> EndpointPorts(V1Service service, V1Pod pod)
    {
        var ports = new List<Discoveryv1EndpointPort>();
        foreach (var sp in service.Spec.Ports ?? [])
        {
            if (EndpointsUtil.FindPort(pod, sp) is { } port)
            {
                ports.Add(new Discoveryv1EndpointPort { Name = sp.Name ?? "", Port = port, Protocol = sp.Protocol ?? "TCP", AppProtocol = sp.AppProtocol });
            }
        }

        return ports;
    }

    /// <summary>Upstream's <c>podToEndpoint</c>.</summary>
    internal static V1Endpoint ToEndpoint(V1Pod pod, V1Node? node, V1Service service)
    {
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var podReady = Common.PodStatusUtil.IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        return new V1Endpoint
        {
            Addresses = [EndpointsUtil.PodIp(pod)!],
            Conditions = new V1EndpointConditions
            {
                Ready = publishNotReady || (podReady && !terminating),
                Serving = publishNotReady || podReady,
                Terminating = terminating,
            },
            NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
            Zone = node?.Metadata.Labels?.TryGetValue(ZoneLabel, out var zone) == true && zone.Length > 0 ? zone : null,
            Hostname = EndpointsUtil.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
        };
    }

    private static V1EndpointSlice NewSlice(V1Service service, IList<Discoveryv1EndpointPort> ports)
    {
        var slice = new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1",
            Kind = "EndpointSlice",
            Metadata = new V1ObjectMeta
            {
                GenerateName = service.Metadata.Name.Length <= 62 ? service.Metadata.Name + "-" : "slice-",
                NamespaceProperty = service.Metadata.NamespaceProperty,
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name, Uid = service.Metadata.Uid, Controller = true, BlockOwnerDeletion = true },
                ],
            },
            AddressType = "IPv4",
            Ports = ports,
            Endpoints = [],
        };
        FixLabels(slice, service);
        return slice;
    }

    /// <summary>Upstream's <c>setEndpointSliceLabels</c>: the service's labels, the headless label and the reserved ones.</summary>
    private static bool FixLabels(V1EndpointSlice slice, V1Service service)
    {
        var want = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in service.Metadata.Labels ?? new Dictionary<string, string>())
        {
            if (k is not (ServiceNameLabel or ManagedByLabel or EndpointsUtil.HeadlessLabel))
            {
                want[k] = v;
            }
        }

        if (!EndpointsUtil.IsServiceIpSet(service))
        {
            want[EndpointsUtil.HeadlessLabel] = "";
        }

        want[ServiceNameLabel] = service.Metadata.Name;
        want[ManagedByLabel] = ControllerName;
        var have = slice.Metadata.Labels;
        if (have is not null && have.Count == want.Count && want.All(kv => have.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return false;
        }

        slice.Metadata.Labels = want;
        return true;
    }

    private static string PodKey(V1Pod pod) => pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;

    [LoggerMessage(Level = LogLevel.Information, Message = "skipping pod {Pod} for service {Service}: node \"{Node}\" not found")]
    private partial void LogMissingNode(string pod, string service, string node);
}
