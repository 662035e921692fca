using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>ServiceAccount</c> plugin (<c>plugin/pkg/admission/serviceaccount</c>) on pod creation: the pod gets
/// the <c>default</c> service account unless it names one; the account must exist (403
/// <c>error looking up service account NS/NAME: serviceaccount "NAME" not found</c>; the default account is looked up
/// again for about a second and a half, as upstream, because its controller creates it just after the namespace);
/// unless automounting is off (the pod's <c>automountServiceAccountToken</c>, else the account's) every container and
/// init container mounts a <c>kube-api-access-xxxxx</c> projected volume (a bound token expiring in 3607 s, the
/// <c>kube-root-ca.crt</c> CA bundle and the namespace) read-only at
/// <c>/var/run/secrets/kubernetes.io/serviceaccount</c>, unless it already mounts something there; and the account's
/// image pull secrets are copied to a pod with none. Mirror pods may not use service accounts or secrets.
/// </summary>
public sealed class ServiceAccountAdmission(AdmissionReader reader, TimeProvider clock) : IMutatingAdmissionPlugin
{
    /// <summary>Where the token, CA and namespace are mounted.</summary>
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The prefix of the projected volume's name.</summary>
    public const string VolumePrefix = "kube-api-access-";

    /// <summary>The token's lifetime upstream asks for (an hour and 7 seconds, so a stale token is told apart).</summary>
    public const long ExpirationSeconds = 3607;

    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private static readonly string[] ContainerLists = ["initContainers", "containers"];

    /// <summary>How many times the default account is looked up before the pod is refused (upstream: 10).</summary>
    public int DefaultAccountAttempts { get; init; } = 10;

    /// <inheritdoc/>
    public string Name => "ServiceAccount";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Create;

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!a.IsCore("pods") || a.Object is not { } pod)
        {
            return;
        }

        var spec = JsonPath.Ensure(pod, "spec");
        if (JsonPath.Str(pod, "metadata", "annotations", MirrorAnnotation) is not null)
        {
            CheckMirrorPod(a, spec);
            return;
        }

        var saName = JsonPath.Str(spec, "serviceAccountName") is { Length: > 0 } n ? n : "default";
        spec["serviceAccountName"] = saName;
        spec["serviceAccount"] = saName;
        var sa = await GetServiceAccountAsync(a.Namespace, saName, ct).ConfigureAwait(false)
            ?? throw AdmissionErrors.Forbidden(a, $"error looking up service account {a.Namespace}/{saName}: serviceaccount \"{saName}\" not found");

        if (JsonPath.Bool(spec, "automountServiceAccountToken") ?? JsonPath.Bool(sa, "automountServiceAccountToken") ?? true)
        {
            MountToken(spec);
        }

        if (JsonPath.Arr(spec, "imagePullSecrets") is not { Count: > 0 } && JsonPath.Arr(sa, "imagePullSecrets") is { Count: > 0 } pullSecrets)
        {
            spec["imagePullSecrets"] = pullSecrets.DeepClone();
        }
    }

    private static void CheckMirrorPod(AdmissionAttributes a, JsonObject spec)
    {
        if (JsonPath.Str(spec, "serviceAccountName") is { Length: > 0 })
        {
            throw AdmissionErrors.Forbidden(a, "a mirror pod may not reference service accounts");
        }

        if (JsonPath.Objects(spec, "volumes").Any(v => v["secret"] is not null))
        {
            throw AdmissionErrors.Forbidden(a, "a mirror pod may not reference secrets");
        }
    }

    private async ValueTask<JsonObject?> GetServiceAccountAsync(string ns, string name, CancellationToken ct)
    {
        var attempts = name == "default" ? Math.Max(1, DefaultAccountAttempts) : 1;
        for (var i = 0; ; i++)
        {
            if (await reader.GetAsync("", "serviceaccounts", ns, name, ct).ConfigureAwait(false) is { } sa)
            {
                return sa;
            }

            if (i + 1 >= attempts)
            {
                return null;
            }

            // Upstream retries the default account every 100-200 ms: its controller creates it right after the namespace.
            await Task.Delay(TimeSpan.FromMilliseconds(100 + RandomNumberGenerator.GetInt32(100)), clock, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Adds the projected token volume and its mounts (upstream's <c>mountServiceAccountToken</c>).</summary>
    private static void MountToken(JsonObject spec)
    {
        var volumes = spec["volumes"] as JsonArray;
        var volumeName = ExistingTokenVolume(volumes);
        var hasVolume = volumeName is not null;
        volumeName ??= VolumePrefix + RandomSuffix();
        var needsVolume = false;
        foreach (var list in ContainerLists)
        {
            if (spec[list] is not JsonArray containers)
            {
                continue;
            }

            for (var i = 0; i < containers.Count; i++)
            {
                if (containers[i] is not JsonObject container)
                {
                    continue;
                }

                var mounts = container["volumeMounts"] as JsonArray;
                if (MountsServiceAccountPath(mounts))
                {
                    continue;
                }

                if (mounts is null)
                {
                    container["volumeMounts"] = mounts = [];
                }

                mounts.Add(new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
                needsVolume = true;
            }
        }

        if (hasVolume || !needsVolume)
        {
            return;
        }

        if (volumes is null)
        {
            spec["volumes"] = volumes = [];
        }

        volumes.Add(TokenVolume(volumeName));
    }

    /// <summary>The name of the first volume named <c>kube-api-access-…</c>, or null.</summary>
    private static string? ExistingTokenVolume(JsonArray? volumes)
    {
        for (var i = 0; volumes is not null && i < volumes.Count; i++)
        {
            if (volumes[i] is JsonObject v && JsonPath.Str(v, "name") is { } name && name.StartsWith(VolumePrefix, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    private static bool MountsServiceAccountPath(JsonArray? mounts)
    {
        for (var i = 0; mounts is not null && i < mounts.Count; i++)
        {
            if (mounts[i] is JsonObject m && JsonPath.Str(m, "mountPath") == MountPath)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The projected volume upstream's plugin adds (its <c>createVolume</c>).</summary>
    public static JsonObject TokenVolume(string name) => new()
    {
        ["name"] = name,
        ["projected"] = new JsonObject
        {
            ["sources"] = new JsonArray
            {
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = ExpirationSeconds, ["path"] = "token" } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["items"] = new JsonArray { new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" } },
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray
                        {
                            new JsonObject
                            {
                                ["path"] = "namespace",
                                ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                            },
                        },
                    },
                },
            },
            ["defaultMode"] = 420,
        },
    };

    private static string RandomSuffix()
    {
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            // Upstream's names.SimpleNameGenerator (utilrand.String, math/rand): not a secret, no CSPRNG call per letter.
            suffix[i] = NameAlphabet[Random.Shared.Next(NameAlphabet.Length)];
        }

        return new string(suffix);
    }
}
