using k8s.Models;

namespace Skiff.Kubelet.Env;

/// <summary>
/// A container's environment as the kubelet computes it (upstream <c>kubelet_pods.go</c> <c>makeEnvironmentVariables</c>):
/// envFrom (configMapRef, secretRef, prefix; optional sources), then env in order with <c>$(VAR)</c> expansion of
/// earlier values, valueFrom fieldRef (metadata.name, namespace, uid, labels['k'], annotations['k'], spec.nodeName,
/// spec.serviceAccountName, status.hostIP(s), status.podIP(s)), resourceFieldRef (limits/requests with divisor;
/// unset limits default to the node's allocatable), configMapKeyRef and secretKeyRef (optional keys), and the
/// service-link variables when enableServiceLinks is on.
/// </summary>
public interface IContainerEnvResolver
{
    /// <summary>The environment of <paramref name="container"/> in order (later duplicates win as upstream).</summary>
    /// <exception cref="EnvResolutionException">A required source is missing (the kubelet reports
    /// CreateContainerConfigError with this message).</exception>
    Task<IReadOnlyList<KeyValuePair<string, string>>> ResolveAsync(V1Pod pod, V1Container container, PodNetworkInfo network, CancellationToken ct);
}

/// <summary>The addresses a pod's environment can refer to.</summary>
/// <param name="PodIps">status.podIPs (first is status.podIP).</param>
/// <param name="HostIps">status.hostIPs (first is status.hostIP).</param>
public sealed record PodNetworkInfo(IReadOnlyList<string> PodIps, IReadOnlyList<string> HostIps);

/// <summary>A container's environment cannot be built (a missing ConfigMap, Secret or key that is not optional).</summary>
public sealed class EnvResolutionException(string message) : Exception(message);
