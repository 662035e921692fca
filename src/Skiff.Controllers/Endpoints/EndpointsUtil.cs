using System.Globalization;
using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Controllers.Endpoints;

/// <summary>
/// What the endpoints and endpointslice controllers share (upstream <c>pkg/controller/util/endpoint</c>,
/// <c>k8s.io/endpointslice/util</c> and <c>podutil.FindPort</c>).
/// </summary>
internal static class EndpointsUtil
{
    /// <summary>The annotation that carries the time of the last pod or service change the object reflects.</summary>
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>The label set on Endpoints and EndpointSlices of headless services (no cluster IP).</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>
    /// Whether a service selects pods: a null or empty selector means the service's endpoints are managed by someone
    /// else (the API serialises an empty selector as absent, as upstream's <c>omitempty</c>).
    /// </summary>
    public static bool HasSelector(V1Service service) =>
        service.Spec?.Selector is { Count: > 0 } && service.Spec.Type != "ExternalName";

    /// <summary>The pods of the service's namespace its selector picks.</summary>
    public static IEnumerable<V1Pod> SelectedPods(V1Service service, Lister<V1Pod> pods)
    {
        var selector = service.Spec!.Selector!;
        return pods.List(service.Metadata.NamespaceProperty)
            .Where(p => p.Metadata.Labels is { } l && selector.All(kv => l.TryGetValue(kv.Key, out var v) && v == kv.Value));
    }

    /// <summary>The services of the pod's namespace whose selector picks a pod with <paramref name="labels"/>.</summary>
    public static IEnumerable<V1Service> ServicesSelecting(string ns, IDictionary<string, string>? labels, Lister<V1Service> services) =>
        services.List(ns).Where(s => HasSelector(s) && s.Spec.Selector.All(kv => labels is not null && labels.TryGetValue(kv.Key, out var v) && v == kv.Value));

    /// <summary>
    /// Upstream's <c>ShouldPodBeInEndpoints</c>: a pod with an IP that has not finished (Failed, or Succeeded) and, unless
    /// <paramref name="includeTerminating"/>, is not being deleted.
    /// </summary>
    public static bool ShouldPodBeInEndpoints(V1Pod pod, bool includeTerminating)
    {
        if (pod.Status?.Phase is "Failed" or "Succeeded")
        {
            return false;
        }

        if (string.IsNullOrEmpty(PodIp(pod)))
        {
            return false;
        }

        return includeTerminating || pod.Metadata.DeletionTimestamp is null;
    }

    /// <summary>The pod's (first IPv4) IP, or null.</summary>
    public static string? PodIp(V1Pod pod)
    {
        foreach (var ip in pod.Status?.PodIPs ?? [])
        {
            if (!string.IsNullOrEmpty(ip.Ip) && !ip.Ip.Contains(':', StringComparison.Ordinal))
            {
                return ip.Ip;
            }
        }

        var single = pod.Status?.PodIP;
        return string.IsNullOrEmpty(single) || single.Contains(':', StringComparison.Ordinal) ? null : single;
    }

    /// <summary>Whether the pod's hostname is published: it has one and its subdomain is the service, in its namespace.</summary>
    public static bool ShouldSetHostname(V1Pod pod, V1Service service) =>
        !string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata.Name &&
        pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty;

    /// <summary>
    /// Upstream's <c>podutil.FindPort</c>: a numeric target port as it is (the service port when unset), a named one
    /// resolved against the pod's containers (and restartable init containers) with the same protocol; null when the
    /// pod has no such port.
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target))
        {
            return servicePort.Port;
        }

        if (int.TryParse(target, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var protocol = servicePort.Protocol ?? "TCP";
        var containers = (pod.Spec?.Containers ?? []).Concat((pod.Spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"));
        foreach (var c in containers)
        {
            foreach (var p in c.Ports ?? [])
            {
                if (p.Name == target && (p.Protocol ?? "TCP") == protocol)
                {
                    return p.ContainerPort;
                }
            }
        }

        return null;
    }

    /// <summary>Whether the service has a cluster IP (not headless).</summary>
    public static bool IsServiceIpSet(V1Service service) =>
        service.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None";

    /// <summary>
    /// The time of the last change the pods and service show (the latest of the service's creation and each pod's
    /// creation and Ready transition), in upstream's RFC 3339 form; null when there is none. Upstream tracks the
    /// first change since the last sync in memory; this reads it off the objects, so a restarted controller agrees.
    /// </summary>
    public static string? TriggerTime(V1Service service, IEnumerable<V1Pod> pods)
    {
        DateTime? latest = service.Metadata.CreationTimestamp;
        foreach (var p in pods)
        {
            foreach (var t in (DateTime?[])[p.Metadata.CreationTimestamp, Common.PodStatusUtil.ReadyCondition(p)?.LastTransitionTime])
            {
                if (t is { } v && (latest is null || v > latest))
                {
                    latest = v;
                }
            }
        }

        return latest?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
