using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.EndpointSlice;
using Skiff.Controllers.Endpoints;

namespace Skiff.Controllers.EndpointSliceMirroring;

/// <summary>
/// Upstream's <c>endpointslicemirroring</c> controller (<c>pkg/controller/endpointslicemirroring</c>): the Endpoints of
/// a Service without a selector (written by hand or by another controller) are mirrored to EndpointSlices labelled
/// <c>endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io</c> and
/// <c>kubernetes.io/service-name</c>, controlled by the Endpoints object, named <c>&lt;endpoints&gt;-</c>.
/// <list type="bullet">
/// <item>Each address becomes an endpoint with its hostname, nodeName and targetRef, Ready as it was listed (ready
/// or not-ready addresses); each subset's ports become the slice's ports; at most
/// <see cref="MaxEndpointsPerSubset"/> addresses of a subset are mirrored, and as many per slice.</item>
/// <item>Nothing is mirrored (and earlier mirrors are deleted) when the service is missing or has a selector, when
/// the Endpoints are labelled <c>endpointslice.kubernetes.io/skip-mirror: "true"</c> or carry the leader-election
/// annotation.</item>
/// <item>Only IPv4 addresses are mirrored (upstream also mirrors IPv6 into IPv6 slices).</item>
/// </list>
/// </summary>
internal sealed class EndpointSliceMirroringController : IReconciler
{
    /// <summary>The managed-by label value of mirrored slices.</summary>
    public const string ControllerName = "endpointslicemirroring-controller.k8s.io";

    /// <summary>Upstream's <c>--mirroring-max-endpoints-per-subset</c> default.</summary>
    public const int MaxEndpointsPerSubset = 1000;

    private const string SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
    private const string LeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

    private readonly ControllerContext _ctx;
    private readonly Lister<V1Endpoints> _endpoints;
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1EndpointSlice> _slices;
    private readonly SliceReconciler _reconciler = new(MaxEndpointsPerSubset);
    private readonly SliceTracker _tracker = new();
    private readonly EndpointSliceController.SliceWriter _writer;

    private EndpointSliceMirroringController(ControllerContext ctx)
    {
        _ctx = ctx;
        _endpoints = ctx.Manager.Informers.Informer<V1Endpoints>().Lister;
        _services = ctx.Manager.Informers.Informer<V1Service>().Lister;
        _slices = ctx.Manager.Informers.Informer<V1EndpointSlice>().Lister;
        _writer = new EndpointSliceController.SliceWriter(ctx.Clientset);
    }

    /// <summary>Wires the controller into the context's manager.</summary>
    public static void Register(ControllerContext ctx)
    {
        var c = new EndpointSliceMirroringController(ctx);
        ctx.Manager.CreateController()
            .Named("endpointslicemirroring")
            .For<V1Endpoints>()
            .WithWorkers(5)
            .Watches<V1Service>(s => [new ReconcileRequest(s.Metadata.NamespaceProperty, s.Metadata.Name)])
            .Watches<V1EndpointSlice>(s => EndpointSliceController.ServiceOf(s, ControllerName))
            .Complete(c);
        ctx.Manager.Informers.Informer<V1EndpointSlice>().AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(
            onDelete: (s, _) =>
            {
                if (EndpointSliceController.ServiceOf(s, ControllerName).FirstOrDefault() is { } r)
                {
                    c._tracker.Forget(r.ToString(), s.Metadata.Name);
                }
            }));
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = request.Namespace ?? "";
        var key = request.ToString();
        var existing = _slices.List(ns, new Dictionary<string, string>
        {
            [EndpointSliceController.ServiceNameLabel] = request.Name,
            [EndpointSliceController.ManagedByLabel] = ControllerName,
        });
        if (_tracker.Stale(key, existing))
        {
            return ReconcileResult.Done;
        }

        var endpoints = _endpoints.Get(ns, request.Name);
        var service = _services.Get(ns, request.Name);
        if (endpoints is null || service is null || service.Spec?.Selector is { Count: > 0 } ||
            endpoints.Metadata.Labels?.TryGetValue(SkipMirrorLabel, out var skip) == true && skip == "true" ||
            endpoints.Metadata.Annotations?.ContainsKey(LeaderAnnotation) == true)
        {
            if (existing.Count > 0)
            {
                await _writer.ApplyAsync(key, ns, new SliceReconciler.Plan([], [], [.. existing]), _tracker, ct).ConfigureAwait(false);
            }

            return ReconcileResult.Done;
        }

        var desired = new List<SliceReconciler.Desired>();
        foreach (var subset in endpoints.Subsets ?? [])
        {
            var ports = (subset.Ports ?? []).Select(p => new Discoveryv1EndpointPort { Name = p.Name ?? "", Port = p.Port, Protocol = p.Protocol ?? "TCP", AppProtocol = p.AppProtocol }).ToList();
            var addresses = (subset.Addresses ?? []).Select(a => (a, true)).Concat((subset.NotReadyAddresses ?? []).Select(a => (a, false)))
                .Where(x => System.Net.IPAddress.TryParse(x.a.Ip, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                .Take(MaxEndpointsPerSubset)
                .Select(x => new V1Endpoint
                {
                    Addresses = [x.a.Ip],
                    Conditions = new V1EndpointConditions { Ready = x.Item2 },
                    Hostname = string.IsNullOrEmpty(x.a.Hostname) ? null : x.a.Hostname,
                    NodeName = string.IsNullOrEmpty(x.a.NodeName) ? null : x.a.NodeName,
                    TargetRef = x.a.TargetRef,
                })
                .ToList();
            desired.Add(new SliceReconciler.Desired(ports, addresses));
        }

        var plan = _reconciler.Reconcile(desired, existing,
            s => s.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == "Endpoints" && o.Uid == endpoints.Metadata.Uid) == true,
            ports => NewSlice(endpoints, ports),
            s => FixLabels(s, endpoints));
        await _writer.ApplyAsync(key, ns, plan, _tracker, ct).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private static V1EndpointSlice NewSlice(V1Endpoints endpoints, IList<Discoveryv1EndpointPort> ports)
    {
        var slice = new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1",
            Kind = "EndpointSlice",
            Metadata = new V1ObjectMeta
            {
                GenerateName = endpoints.Metadata.Name.Length <= 62 ? endpoints.Metadata.Name + "-" : "slice-",
                NamespaceProperty = endpoints.Metadata.NamespaceProperty,
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "v1", Kind = "Endpoints", Name = endpoints.Metadata.Name, Uid = endpoints.Metadata.Uid, Controller = true, BlockOwnerDeletion = true },
                ],
            },
            AddressType = "IPv4",
            Ports = ports,
            Endpoints = [],
        };
        FixLabels(slice, endpoints);
        return slice;
    }

    /// <summary>The Endpoints' labels (but the reserved ones) plus service-name and managed-by.</summary>
    private static bool FixLabels(V1EndpointSlice slice, V1Endpoints endpoints)
    {
        var want = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in endpoints.Metadata.Labels ?? new Dictionary<string, string>())
        {
            if (k is not (EndpointSliceController.ServiceNameLabel or EndpointSliceController.ManagedByLabel))
            {
                want[k] = v;
            }
        }

        want[EndpointSliceController.ServiceNameLabel] = endpoints.Metadata.Name;
        want[EndpointSliceController.ManagedByLabel] = ControllerName;
        var have = slice.Metadata.Labels;
        if (have is not null && have.Count == want.Count && want.All(kv => have.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return false;
        }

        slice.Metadata.Labels = want;
        return true;
    }
}
