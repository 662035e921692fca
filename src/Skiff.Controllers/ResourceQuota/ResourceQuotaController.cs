using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Api.Quota;
using Skiff.Client.Cache;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Schema;

namespace Skiff.Controllers.ResourceQuota;

/// <summary>
/// Upstream's <c>resourcequota</c> controller (<c>pkg/controller/resourcequota</c>): every ResourceQuota's
/// <c>status.hard</c> is its <c>spec.hard</c> and <c>status.used</c> what the objects of its namespace selected by
/// its scopes use (<see cref="QuotaUsage"/>), recomputed from a fresh list of each resource the quota limits. A
/// quota is recomputed when it changes, when a pod, service, claim, config map, secret or replication controller of
/// its namespace changes (upstream's quota monitors), and every five minutes (upstream's full resync), which also
/// catches <c>count/…</c> resources without a monitor and gives back usage that admission charged for writes that
/// then failed.
/// </summary>
public sealed class ResourceQuotaController : IReconciler
{
    /// <summary>Upstream's <c>--resource-quota-sync-period</c>.</summary>
    public static readonly TimeSpan ResyncPeriod = TimeSpan.FromMinutes(5);

    private readonly DynamicClient _dynamic;
    private readonly DiscoveryClient _discovery;
    private readonly Lister<V1ResourceQuota> _quotas;

    private ResourceQuotaController(ControllerContext context)
    {
        _dynamic = context.Dynamic;
        _discovery = context.Discovery;
        _quotas = context.Manager.Informers.Informer<V1ResourceQuota>().Lister;
    }

    /// <summary>Wires the controller into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context)
    {
        var controller = new ResourceQuotaController(context);
        context.Manager.CreateController()
            .Named("resourcequota")
            .For<V1ResourceQuota>()
            .Watches<V1Pod>(p => controller.QuotasOf(p.Metadata.NamespaceProperty))
            .Watches<V1Service>(s => controller.QuotasOf(s.Metadata.NamespaceProperty))
            .Watches<V1PersistentVolumeClaim>(c => controller.QuotasOf(c.Metadata.NamespaceProperty))
            .Watches<V1ConfigMap>(c => controller.QuotasOf(c.Metadata.NamespaceProperty))
            .Watches<V1Secret>(s => controller.QuotasOf(s.Metadata.NamespaceProperty))
            .Watches<V1ReplicationController>(r => controller.QuotasOf(r.Metadata.NamespaceProperty))
            .Complete(controller);
    }

    private IEnumerable<ReconcileRequest> QuotasOf(string? ns) =>
        string.IsNullOrEmpty(ns) ? [] : _quotas.List(ns).Select(q => new ReconcileRequest(ns, q.Metadata.Name)).ToList();

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var quotas = _dynamic.Resource(new GroupVersionResource("", "v1", "resourcequotas")).Namespace(request.Namespace);
        JsonObject quota;
        try
        {
            quota = await quotas.GetAsync(request.Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return ReconcileResult.Done;
        }

        var hard = quota["spec"]?["hard"] as JsonObject ?? [];
        var used = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal);
        foreach (var key in hard.Select(p => p.Key))
        {
            used[key] = QuotaQuantity.Zero;
        }

        foreach (var group in hard.Select(p => p.Key).GroupBy(Source).Where(g => g.Key is not null))
        {
            var (apiGroup, resource) = group.Key!.Value;
            var gvr = await ResolveAsync(apiGroup, resource, ct).ConfigureAwait(false);
            if (gvr is null)
            {
                continue;
            }

            var list = await _dynamic.Resource(gvr).Namespace(request.Namespace).ListAsync(ct: ct).ConfigureAwait(false);
            foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (!QuotaUsage.ScopesMatch(quota, apiGroup, resource, item))
                {
                    continue;
                }

                foreach (var (name, q) in QuotaUsage.Of(apiGroup, resource, item))
                {
                    if (group.Contains(name))
                    {
                        used[name] += q;
                    }
                }
            }
        }

        var status = new JsonObject { ["hard"] = hard.DeepClone(), ["used"] = QuotaUsage.ToJson(used) };
        if (JsonNode.DeepEquals(quota["status"], status))
        {
            return ReconcileResult.After(ResyncPeriod);
        }

        quota["status"] = status;
        try
        {
            await quotas.UpdateStatusAsync(quota, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsConflict)
        {
            // Admission charged it meanwhile: recompute from the newer quota.
            return ReconcileResult.After(TimeSpan.Zero);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return ReconcileResult.Done;
        }

        return ReconcileResult.After(ResyncPeriod);
    }

    /// <summary>Which resource a quota key counts: (group, resource), or null for keys nothing is counted for.</summary>
    private static (string Group, string Resource)? Source(string key)
    {
        switch (key)
        {
            case "pods" or "cpu" or "memory" or "ephemeral-storage":
                return ("", "pods");
            case "services" or "services.nodeports" or "services.loadbalancers":
                return ("", "services");
            case "persistentvolumeclaims" or "requests.storage":
                return ("", "persistentvolumeclaims");
            case "configmaps" or "secrets" or "replicationcontrollers" or "resourcequotas":
                return ("", key);
        }

        if (key.StartsWith("requests.", StringComparison.Ordinal) || key.StartsWith("limits.", StringComparison.Ordinal))
        {
            return ("", "pods");
        }

        if (key.Contains(".storageclass.storage.k8s.io/", StringComparison.Ordinal))
        {
            return ("", "persistentvolumeclaims");
        }

        if (key.StartsWith("count/", StringComparison.Ordinal))
        {
            var rest = key["count/".Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? ("", rest) : (rest[(dot + 1)..], rest[..dot]);
        }

        return null;
    }

    private async Task<GroupVersionResource?> ResolveAsync(string group, string resource, CancellationToken ct)
    {
        if (group.Length == 0)
        {
            return new GroupVersionResource("", "v1", resource);
        }

        var doc = await _discovery.GetAsync(ct).ConfigureAwait(false);
        return doc.PreferredResources().Select(r => r.Resource).FirstOrDefault(r => r.Group == group && r.Resource == resource);
    }
}
