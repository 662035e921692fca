using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Env;

/// <summary>
/// <see cref="IContainerEnvResolver"/> over the API (upstream <c>makeEnvironmentVariables</c>, 1.32 with
/// RelaxedEnvironmentVariableValidation on): ConfigMaps and Secrets are read from the pod's namespace (each at most once
/// per call); services come from <paramref name="services"/>' cache when given (the kubelet's service informer), else
/// are listed. The result holds envFrom variables (in source order, keys sorted within a source), then the env
/// entries in declaration order (a re-declared name keeps its first position and takes the later value), then the
/// service-link variables not already defined. An envFrom key that is not a valid variable name (printable ASCII other
/// than '=') is skipped with an <c>InvalidEnvironmentVariableNames</c> event. A pod without enableServiceLinks is
/// treated as its API default (true).
/// </summary>
public sealed class ContainerEnvResolver(
    Clientset clientset,
    IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable,
    Lister<V1Service>? services = null,
    EventRecorder? events = null) : IContainerEnvResolver
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ResolveAsync(V1Pod pod, V1Container container, PodNetworkInfo network, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(network);
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var serviceEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ServiceEnvVars.FromServices(await VisibleServicesAsync(ns, pod.Spec?.EnableServiceLinks ?? true, ct).ConfigureAwait(false)))
        {
            serviceEnv[k] = v;
        }

        var configMaps = new Dictionary<string, V1ConfigMap?>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, V1Secret?>(StringComparer.Ordinal);
        var env = new OrderedDictionary<string, string>(StringComparer.Ordinal);

        // envFrom first; env replaces what it defines again.
        foreach (var from in container.EnvFrom ?? [])
        {
            if (from.ConfigMapRef is { } cmRef)
            {
                var cm = await ConfigMapAsync(configMaps, ns, cmRef.Name, cmRef.Optional == true, ct).ConfigureAwait(false);
                if (cm is not null)
                {
                    AddAll(pod, env, from.Prefix, cm.Data?.Select(kv => kv) ?? [], $"configMap {ns}/{cmRef.Name}");
                }
            }
            else if (from.SecretRef is { } sRef)
            {
                var secret = await SecretAsync(secrets, ns, sRef.Name, sRef.Optional == true, ct).ConfigureAwait(false);
                if (secret is not null)
                {
                    AddAll(pod, env, from.Prefix, secret.Data?.Select(kv => KeyValuePair.Create(kv.Key, Text(kv.Value))) ?? [], $"secret {ns}/{sRef.Name}");
                }
            }
        }

        var mapping = EnvExpansion.MappingFor(env, serviceEnv);
        foreach (var e in container.Env ?? [])
        {
            string value;
            if (!string.IsNullOrEmpty(e.Value))
            {
                value = EnvExpansion.Expand(e.Value, mapping);
            }
            else if (e.ValueFrom is { } from)
            {
                var resolved = await ValueFromAsync(pod, container, network, from, configMaps, secrets, ns, ct).ConfigureAwait(false);
                if (resolved is null)
                {
                    continue;
                }

                value = resolved;
            }
            else
            {
                value = string.Empty;
            }

            env[e.Name] = value;
        }

        var result = new List<KeyValuePair<string, string>>(env.Count + serviceEnv.Count);
        result.AddRange(env);
        result.AddRange(serviceEnv.Where(kv => !env.ContainsKey(kv.Key)));
        return result;
    }

    /// <summary>Upstream 1.32's <c>IsRelaxedEnvVarName</c>: non-empty, printable ASCII, no '='.</summary>
    internal static bool IsValidName(string name) => name.Length > 0 && name.All(c => c is >= ' ' and <= '~' and not '=');

    // One valueFrom source; null when an optional source or key is missing (the variable is left out).
    private async Task<string?> ValueFromAsync(V1Pod pod, V1Container container, PodNetworkInfo network, V1EnvVarSource from,
        Dictionary<string, V1ConfigMap?> configMaps, Dictionary<string, V1Secret?> secrets, string ns, CancellationToken ct)
    {
        try
        {
            if (from.FieldRef is { } field)
            {
                return DownwardApi.EnvFieldValue(pod, field, network);
            }

            if (from.ResourceFieldRef is { } resource)
            {
                return DownwardApi.ResourceFieldValue(pod, container, resource, nodeAllocatable);
            }
        }
        catch (DownwardApiException e)
        {
            throw new EnvResolutionException(e.Message);
        }

        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var optional = cmKey.Optional == true;
            var cm = await ConfigMapAsync(configMaps, ns, cmKey.Name, optional, ct).ConfigureAwait(false);
            if (cm is null)
            {
                return null;
            }

            return cm.Data?.TryGetValue(cmKey.Key, out var v) == true ? v
                : optional ? null
                : throw new EnvResolutionException($"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}");
        }

        if (from.SecretKeyRef is { } sKey)
        {
            var optional = sKey.Optional == true;
            var secret = await SecretAsync(secrets, ns, sKey.Name, optional, ct).ConfigureAwait(false);
            if (secret is null)
            {
                return null;
            }

            return secret.Data?.TryGetValue(sKey.Key, out var bytes) == true ? Text(bytes)
                : optional ? null
                : throw new EnvResolutionException($"couldn't find key {sKey.Key} in Secret {ns}/{sKey.Name}");
        }

        return string.Empty;
    }

    private void AddAll(V1Pod pod, OrderedDictionary<string, string> env, string? prefix, IEnumerable<KeyValuePair<string, string>> data, string source)
    {
        var invalid = new List<string>();
        foreach (var (key, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = string.IsNullOrEmpty(prefix) ? key : prefix + key;
            if (!IsValidName(name))
            {
                invalid.Add(name);
                continue;
            }

            env[name] = value;
        }

        if (invalid.Count > 0)
        {
            invalid.Sort(StringComparer.Ordinal);
            events?.Event(pod, EventRecorder.Warning, "InvalidEnvironmentVariableNames",
                $"Keys [{string.Join(", ", invalid)}] from the EnvFrom {source} were skipped since they are considered invalid environment variable names.");
        }
    }

    private async Task<V1ConfigMap?> ConfigMapAsync(Dictionary<string, V1ConfigMap?> cache, string ns, string name, bool optional, CancellationToken ct)
    {
        if (!cache.TryGetValue(name, out var cm))
        {
            try
            {
                cm = await clientset.CoreV1().ConfigMaps(ns).GetAsync(name, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                if (!optional)
                {
                    throw new EnvResolutionException($"configmap {Skiff.Api.Validation.GoFormat.Quote(name)} not found");
                }

                return null;
            }

            cache[name] = cm;
        }

        return cm;
    }

    private async Task<V1Secret?> SecretAsync(Dictionary<string, V1Secret?> cache, string ns, string name, bool optional, CancellationToken ct)
    {
        if (!cache.TryGetValue(name, out var secret))
        {
            try
            {
                secret = await clientset.CoreV1().Secrets(ns).GetAsync(name, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                if (!optional)
                {
                    throw new EnvResolutionException($"secret {Skiff.Api.Validation.GoFormat.Quote(name)} not found");
                }

                return null;
            }

            cache[name] = secret;
        }

        return secret;
    }

    private async Task<IReadOnlyList<V1Service>> VisibleServicesAsync(string ns, bool enableServiceLinks, CancellationToken ct)
    {
        if (services is not null)
        {
            return ServiceEnvVars.Visible(services.List(), ns, enableServiceLinks);
        }

        var found = new List<V1Service>();
        try
        {
            found.Add(await clientset.CoreV1().Services("default").GetAsync(ServiceEnvVars.MasterService, ct: ct).ConfigureAwait(false));
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // No API service (yet): no KUBERNETES_* variables.
        }

        if (enableServiceLinks)
        {
            found.AddRange((await clientset.CoreV1().Services(ns).ListAsync(new ListOptions(), ct).ConfigureAwait(false)).Items);
        }

        return ServiceEnvVars.Visible(found, ns, enableServiceLinks);
    }

    private static string Text(byte[]? bytes) => bytes is null ? string.Empty : System.Text.Encoding.UTF8.GetString(bytes);
}
