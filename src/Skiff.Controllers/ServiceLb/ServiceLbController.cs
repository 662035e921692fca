using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.ServiceLb;

/// <summary>
/// <c>type: LoadBalancer</c> the way k3s's ServiceLB serves it: no cloud, the nodes are the load balancer. Every
/// LoadBalancer Service without a <c>spec.loadBalancerClass</c> gets <c>status.loadBalancer.ingress</c> = one
/// <c>{ip, ipMode: VIP}</c> per Ready node (its ExternalIP, else its InternalIP; hollow nodes, which carry no traffic,
/// excluded), sorted; kube-proxy then serves those IPs on the service port. A Service that stops being a LoadBalancer
/// (or gets a class) has its ingress cleared. Unlike k3s no svclb DaemonSet runs: kube-proxy's rules are the data path.
/// </summary>
public sealed class ServiceLbController : IReconciler
{
    /// <summary>The label hollow nodes carry.</summary>
    public const string HollowNodeLabel = "hollow.skiff.dev/node";

    private readonly Clientset _clientset;
    private readonly Lister<V1Service> _services;
    private readonly Lister<V1Node> _nodes;

    private ServiceLbController(Manager manager)
    {
        _clientset = manager.Clientset;
        _services = manager.Informers.Informer<V1Service>().Lister;
        _nodes = manager.Informers.Informer<V1Node>().Lister;
    }

    /// <summary>Wires the controller into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context)
    {
        var c = new ServiceLbController(context.Manager);
        context.Manager.CreateController()
            .Named("servicelb")
            .For<V1Service>()
            .Watches<V1Node>(_ => c._services.List().Where(s => s.Spec?.Type == "LoadBalancer")
                .Select(s => new ReconcileRequest(s.Metadata.NamespaceProperty, s.Metadata.Name)))
            .Complete(c);
    }

    /// <summary>The ingress list for the current nodes: one VIP per Ready, non-hollow node with an address, sorted by IP.</summary>
    public static IReadOnlyList<string> NodeAddresses(IEnumerable<V1Node> nodes) =>
        [.. nodes
            .Where(n => n.Metadata.Labels?.ContainsKey(HollowNodeLabel) != true
                && n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .Select(n => n.Status!.Addresses?.FirstOrDefault(a => a.Type == "ExternalIP")?.Address
                ?? n.Status.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var service = _services.Get(request.Namespace, request.Name);
        if (service?.Spec is null || service.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var ours = service.Spec.Type == "LoadBalancer" && string.IsNullOrEmpty(service.Spec.LoadBalancerClass);
        var want = ours ? NodeAddresses(_nodes.List()) : [];
        var have = (service.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip).OfType<string>().ToList();
        if (have.SequenceEqual(want) || (!ours && service.Spec.Type == "LoadBalancer"))
        {
            // Up to date, or another implementation's (a class) LoadBalancer: not ours to write.
            return ReconcileResult.Done;
        }

        var client = _clientset.CoreV1().Services(request.Namespace);
        try
        {
            var fresh = await client.GetAsync(request.Name, ct: ct).ConfigureAwait(false);
            fresh.Status ??= new V1ServiceStatus();
            fresh.Status.LoadBalancer = new V1LoadBalancerStatus
            {
                Ingress = want.Count == 0 ? null : [.. want.Select(ip => new V1LoadBalancerIngress { Ip = ip, IpMode = "VIP" })],
            };
            await client.UpdateStatusAsync(fresh, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile. (A conflict throws: the manager retries after its backoff.)
        }

        return ReconcileResult.Done;
    }
}
