using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Kubelet.Runtime;
using static Skiff.Kubelet.Volumes.AtomicWriter;

namespace Skiff.Kubelet.Volumes;

/// <summary>
/// Sets up a pod's volumes on the host under <c>ROOT/pods/UID/volumes/kubernetes.io~KIND/NAME</c> and tears them down:
/// emptyDir (medium Memory: a tmpfs), hostPath (with its type checked), configMap, secret, downwardAPI and projected
/// (configMap, secret, downwardAPI, serviceAccountToken through TokenRequest, the CA bundle) written with
/// <see cref="AtomicWriter"/> and refreshed on every call, and persistentVolumeClaim (the bound PV's hostPath or local
/// path). <see cref="SetUpAsync"/> is idempotent; the pod workers call it on every sync. Service-account tokens come
/// from a <see cref="ServiceAccountTokenManager"/>, so a sync requests a new token only when the cached one needs a refresh.
/// </summary>
public sealed partial class VolumeManager(Clientset client, string kubeletRoot, ILogger logger, TimeProvider? clock = null)
{
    /// <summary>The cache of projected service-account tokens.</summary>
    public ServiceAccountTokenManager Tokens { get; } = new(clock ?? TimeProvider.System);

    private const int DefaultMode = 0b110_100_100; // 0644

    /// <summary>The pod's directory.</summary>
    public string PodDirectory(string uid) => Path.Combine(kubeletRoot, "pods", uid);

    /// <summary>Sets up (or refreshes) every volume of <paramref name="pod"/>; returns volume name → host path.</summary>
    /// <exception cref="VolumeException">A volume cannot be set up (a missing non-optional source, a hostPath of the wrong type).</exception>
    public async Task<IReadOnlyDictionary<string, string>> SetUpAsync(V1Pod pod, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in pod.Spec.Volumes ?? [])
        {
            try
            {
                await SetUpVolumeAsync(pod, v, result, ct).ConfigureAwait(false);
            }
            catch (VolumeException e) when (e.Volume is null)
            {
                throw new VolumeException(e.Message) { Volume = v.Name };
            }
        }

        return result;
    }

    private async Task SetUpVolumeAsync(V1Pod pod, V1Volume v, Dictionary<string, string> result, CancellationToken ct)
    {
        var uid = pod.Metadata.Uid;
        var ns = pod.Metadata.NamespaceProperty;
        string Dir(string kind) => Path.Combine(PodDirectory(uid), "volumes", "kubernetes.io~" + kind, v.Name);
        if (v.EmptyDir is { } e)
        {
            var dir = Dir("empty-dir");
            Directory.CreateDirectory(dir);
            if (e.Medium == "Memory" && !IsMountPoint(dir))
            {
                var size = e.SizeLimit is { } q ? "size=" + ((long)q.ToDecimal()).ToString(CultureInfo.InvariantCulture) : null;
                if (!Native.Mount("tmpfs", dir, "tmpfs", size))
                {
                    LogTmpfs(logger, dir);
                }
            }

            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
            result[v.Name] = dir;
        }
        else if (v.HostPath is { } h)
        {
            result[v.Name] = HostPath(h.Path, h.Type ?? "");
        }
        else if (v.ConfigMap is { } cm)
        {
            var dir = Dir("configmap");
            var map = await GetOrNullAsync(() => client.CoreV1().ConfigMaps(ns).GetAsync(cm.Name, ct: ct)).ConfigureAwait(false);
            if (map is null && cm.Optional != true)
            {
                throw new VolumeException($"configmap \"{cm.Name}\" not found");
            }

            Write(dir, Project(ConfigMapData(map), cm.Items, cm.DefaultModeValue(), cm.Optional == true, $"configmap \"{cm.Name}\""));
            result[v.Name] = dir;
        }
        else if (v.Secret is { } s)
        {
            var dir = Dir("secret");
            var secret = await GetOrNullAsync(() => client.CoreV1().Secrets(ns).GetAsync(s.SecretName, ct: ct)).ConfigureAwait(false);
            if (secret is null && s.Optional != true)
            {
                throw new VolumeException($"secret \"{s.SecretName}\" not found");
            }

            Write(dir, Project(secret?.Data ?? new Dictionary<string, byte[]>(), s.Items, s.DefaultMode ?? DefaultMode, s.Optional == true, $"secret \"{s.SecretName}\""));
            result[v.Name] = dir;
        }
        else if (v.DownwardAPI is { } d)
        {
            var dir = Dir("downward-api");
            var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
            AddDownward(payload, pod, d.Items, d.DefaultMode ?? DefaultMode);
            Write(dir, payload);
            result[v.Name] = dir;
        }
        else if (v.Projected is { } p)
        {
            var dir = Dir("projected");
            Write(dir, await ProjectedAsync(pod, p, ct).ConfigureAwait(false));
            result[v.Name] = dir;
        }
        else if (v.PersistentVolumeClaim is { } pvc)
        {
            result[v.Name] = await ClaimPathAsync(ns, pvc.ClaimName, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Unmounts and removes the pod's volume directories (host paths and PV paths are left alone).</summary>
    public void TearDown(string uid)
    {
        Tokens.Forget(uid);
        var root = PodDirectory(uid);
        var empty = Path.Combine(root, "volumes", "kubernetes.io~empty-dir");
        if (Directory.Exists(empty))
        {
            foreach (var d in Directory.EnumerateDirectories(empty))
            {
                if (IsMountPoint(d))
                {
                    Native.Unmount(d);
                }
            }
        }

        try
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogTearDown(logger, root, e.Message);
        }
    }

    private static IDictionary<string, byte[]> ConfigMapData(V1ConfigMap? map)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in map?.Data ?? new Dictionary<string, string>())
        {
            data[k] = Encoding.UTF8.GetBytes(v);
        }

        foreach (var (k, v) in map?.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[k] = v;
        }

        return data;
    }

    /// <summary>Keys → files: every key, or only <paramref name="items"/> (a missing item key fails unless optional).</summary>
    private static Dictionary<string, FileProjection> Project(IDictionary<string, byte[]> data, IList<V1KeyToPath>? items, int defaultMode, bool optional, string what)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (items is null || items.Count == 0)
        {
            foreach (var (k, v) in data)
            {
                payload[k] = new FileProjection(v, (UnixFileMode)defaultMode);
            }

            return payload;
        }

        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var v))
            {
                if (optional)
                {
                    continue;
                }

                throw new VolumeException($"{what}: key \"{item.Key}\" not found");
            }

            payload[item.Path] = new FileProjection(v, (UnixFileMode)(item.Mode ?? defaultMode));
        }

        return payload;
    }

    private static void AddDownward(Dictionary<string, FileProjection> payload, V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, int defaultMode)
    {
        foreach (var item in items ?? [])
        {
            string value;
            if (item.FieldRef is { } f)
            {
                value = FieldValue(pod, f.FieldPath) ?? throw new VolumeException($"unsupported fieldPath \"{f.FieldPath}\"");
            }
            else if (item.ResourceFieldRef is { } r)
            {
                var c = pod.Spec.Containers.FirstOrDefault(c => c.Name == r.ContainerName) ?? pod.Spec.Containers[0];
                var parts = r.Resource.Split('.', 2);
                var list = parts[0] == "limits" ? c.Resources?.Limits : c.Resources?.Requests;
                var q = list?.TryGetValue(parts.ElementAtOrDefault(1) ?? "", out var qq) == true ? qq.ToDecimal() : 0m;
                var divisor = r.Divisor?.ToDecimal() is { } dv && dv != 0 ? dv : 1m;
                value = Math.Ceiling(q / divisor).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                continue;
            }

            payload[item.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), (UnixFileMode)(item.Mode ?? defaultMode));
        }
    }

    /// <summary>The value of a downward API fieldPath (metadata.name, labels, annotations…); null when unsupported.</summary>
    internal static string? FieldValue(V1Pod pod, string path)
    {
        static string Map(IDictionary<string, string>? m) => string.Join('\n', (m ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}=\"{kv.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\""));
        if (path.StartsWith("metadata.labels['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
        {
            return pod.Metadata.Labels?.TryGetValue(path["metadata.labels['".Length..^2], out var l) == true ? l : "";
        }

        if (path.StartsWith("metadata.annotations['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
        {
            return pod.Metadata.Annotations?.TryGetValue(path["metadata.annotations['".Length..^2], out var a) == true ? a : "";
        }

        return path switch
        {
            "metadata.name" => pod.Metadata.Name,
            "metadata.namespace" => pod.Metadata.NamespaceProperty,
            "metadata.uid" => pod.Metadata.Uid,
            "metadata.labels" => Map(pod.Metadata.Labels),
            "metadata.annotations" => Map(pod.Metadata.Annotations),
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "",
            "status.podIP" => pod.Status?.PodIP ?? "",
            "status.hostIP" => pod.Status?.HostIP ?? "",
            _ => null,
        };
    }

    private async Task<Dictionary<string, FileProjection>> ProjectedAsync(V1Pod pod, V1ProjectedVolumeSource p, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var mode = p.DefaultMode ?? DefaultMode;
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var source in p.Sources ?? [])
        {
            if (source.ConfigMap is { } cm)
            {
                var map = await GetOrNullAsync(() => client.CoreV1().ConfigMaps(ns).GetAsync(cm.Name, ct: ct)).ConfigureAwait(false);
                if (map is null && cm.Optional != true)
                {
                    throw new VolumeException($"configmap \"{cm.Name}\" not found");
                }

                foreach (var kv in Project(ConfigMapData(map), cm.Items, mode, cm.Optional == true, $"configmap \"{cm.Name}\""))
                {
                    payload[kv.Key] = kv.Value;
                }
            }
            else if (source.Secret is { } s)
            {
                var secret = await GetOrNullAsync(() => client.CoreV1().Secrets(ns).GetAsync(s.Name, ct: ct)).ConfigureAwait(false);
                if (secret is null && s.Optional != true)
                {
                    throw new VolumeException($"secret \"{s.Name}\" not found");
                }

                foreach (var kv in Project(secret?.Data ?? new Dictionary<string, byte[]>(), s.Items, mode, s.Optional == true, $"secret \"{s.Name}\""))
                {
                    payload[kv.Key] = kv.Value;
                }
            }
            else if (source.DownwardAPI is { } d)
            {
                AddDownward(payload, pod, d.Items, mode);
            }
            else if (source.ServiceAccountToken is { } t)
            {
                // Like upstream, no token means no volume: the containers wait (FailedMount) and the next sync retries.
                var token = await TokenAsync(pod, t, ct).ConfigureAwait(false)
                    ?? throw new VolumeException($"failed to fetch token for service account \"{pod.Spec.ServiceAccountName ?? "default"}\"");
                payload[t.Path] = new FileProjection(Encoding.UTF8.GetBytes(token), (UnixFileMode)mode);
            }
        }

        return payload;
    }

    /// <summary>
    /// A bound token from the TokenRequest API (<c>serviceaccounts/NAME/token</c>, bound to the pod), cached by
    /// <see cref="Tokens"/>; null (logged) when the server refuses and no unexpired token is cached (the volume then fails).
    /// </summary>
    private async Task<string?> TokenAsync(V1Pod pod, V1ServiceAccountTokenProjection t, CancellationToken ct)
    {
        var sa = pod.Spec.ServiceAccountName ?? "default";
        var ns = pod.Metadata.NamespaceProperty;
        var expiration = t.ExpirationSeconds ?? 3607;
        var key = new ServiceAccountTokenManager.Key(pod.Metadata.Uid, ns, sa, t.Audience ?? "", expiration);
        try
        {
            return await Tokens.GetAsync(key, token => RequestTokenAsync(pod, sa, t.Audience, expiration, token), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException or System.Text.Json.JsonException or FormatException)
        {
            LogToken(logger, ns + "/" + pod.Metadata.Name, e.Message);
            return null;
        }
    }

    private async Task<ServiceAccountTokenManager.Token?> RequestTokenAsync(V1Pod pod, string sa, string? audience, long expiration, CancellationToken ct)
    {
        var body = new Dictionary<string, object?>
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["spec"] = new Dictionary<string, object?>
            {
                ["audiences"] = audience is { Length: > 0 } a ? new[] { a } : null,
                ["expirationSeconds"] = expiration,
                ["boundObjectRef"] = new Dictionary<string, string> { ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = pod.Metadata.Name, ["uid"] = pod.Metadata.Uid },
            },
        };
        var r = await client.Rest.Post().ApiVersion("v1").Namespace(pod.Metadata.NamespaceProperty).Resource("serviceaccounts").Name(sa).SubResource("token")
            .Body(body).DoAsync(ct).ConfigureAwait(false);
        var root = System.Text.Json.JsonDocument.Parse(r.Body).RootElement;
        if (!root.TryGetProperty("status", out var st) || !st.TryGetProperty("token", out var tok) || tok.GetString() is not { Length: > 0 } token)
        {
            return null;
        }

        var expiry = st.TryGetProperty("expirationTimestamp", out var ts) && ts.GetString() is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.UtcNow.AddSeconds(expiration);
        return new ServiceAccountTokenManager.Token(token, expiry);
    }

    private async Task<string> ClaimPathAsync(string ns, string claim, CancellationToken ct)
    {
        var pvc = await GetOrNullAsync(() => client.CoreV1().PersistentVolumeClaims(ns).GetAsync(claim, ct: ct)).ConfigureAwait(false)
            ?? throw new VolumeException($"persistentvolumeclaim \"{claim}\" not found");
        if (pvc.Spec?.VolumeName is not { Length: > 0 } pvName)
        {
            throw new VolumeException($"persistentvolumeclaim \"{claim}\" is not bound");
        }

        var pv = await GetOrNullAsync(() => client.CoreV1().PersistentVolumes().GetAsync(pvName, ct: ct)).ConfigureAwait(false)
            ?? throw new VolumeException($"persistentvolume \"{pvName}\" not found");
        if (pv.Spec.HostPath is { } h)
        {
            return HostPath(h.Path, h.Type ?? "DirectoryOrCreate");
        }

        if (pv.Spec.Local is { } l)
        {
            return HostPath(l.Path, "Directory");
        }

        throw new VolumeException($"persistentvolume \"{pvName}\" has no hostPath or local source this kubelet can mount");
    }

    /// <summary>Checks (or creates) a hostPath of upstream's <c>HostPathType</c>.</summary>
    internal static string HostPath(string path, string type)
    {
        switch (type)
        {
            case "DirectoryOrCreate":
                if (!Directory.Exists(path))
                {
                    Directory.CreateDirectory(path);
                    File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
                }

                break;
            case "FileOrCreate":
                if (!File.Exists(path))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, []);
                    File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
                }

                break;
            case "Directory" when !Directory.Exists(path):
                throw new VolumeException($"hostPath type check failed: {path} is not a directory");
            case "File" when !File.Exists(path):
                throw new VolumeException($"hostPath type check failed: {path} is not a file");
            case "Socket" or "CharDevice" or "BlockDevice" when !File.Exists(path):
                throw new VolumeException($"hostPath type check failed: {path} is not a {type}");
        }

        return path;
    }

    private static async Task<T?> GetOrNullAsync<T>(Func<Task<T>> get)
        where T : class
    {
        try
        {
            return await get().ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    private static bool IsMountPoint(string dir)
    {
        var full = Path.GetFullPath(dir).TrimEnd('/');
        return File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == full);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot mount a tmpfs on {Directory}; the memory emptyDir is on disk")]
    private static partial void LogTmpfs(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot remove {Directory}: {Reason}")]
    private static partial void LogTearDown(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod {Pod}: no service account token (TokenRequest failed: {Reason})")]
    private static partial void LogToken(ILogger logger, string pod, string reason);
}

/// <summary>A volume cannot be set up; the pod's containers wait (FailedMount).</summary>
public sealed class VolumeException(string message) : Exception(message)
{
    /// <summary>The volume that failed (null when not known).</summary>
    public string? Volume { get; init; }
}

internal static class VolumeSourceExtensions
{
    public static int DefaultModeValue(this V1ConfigMapVolumeSource s) => s.DefaultMode ?? 0b110_100_100;
}
