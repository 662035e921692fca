using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The relationships the Node authorizer checks (upstream <c>plugin/pkg/auth/authorizer/node/graph.go</c>, reduced to
/// what Skiff serves): a pod bound to a node gives that node its secrets, configmaps, persistent volume claims and
/// service account (from volumes, projected sources, env, envFrom and imagePullSecrets), and a bound claim gives it
/// the persistent volume. Fed by watches on pods and claims; answers from memory.
/// </summary>
public sealed class NodeGraph
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PodRefs> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _claimVolumes = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes at the graph's next change. Take it <em>before</em> reading the graph and wait on it with
    /// <see cref="WaitForChangeAsync"/> after: a change between the read and the wait then still wakes the waiter.
    /// </summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="change"/> (a <see cref="NextChange"/> taken earlier) completes or
    /// <paramref name="timeout"/> passes (returns false then). The gate uses it to re-decide a node's denied read,
    /// because a kubelet may see its new pod before this graph does.
    /// </summary>
    public static async Task<bool> WaitForChangeAsync(Task change, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await change.WaitAsync(timeout, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void SignalLocked()
    {
        var done = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
    }

    /// <summary>The kinds of object a node may reach through its pods.</summary>
    public enum Kind
    {
        /// <summary>A Secret.</summary>
        Secret,

        /// <summary>A ConfigMap.</summary>
        ConfigMap,

        /// <summary>A PersistentVolumeClaim.</summary>
        PersistentVolumeClaim,

        /// <summary>A ServiceAccount.</summary>
        ServiceAccount,
    }

    /// <summary>Starts following pods and claims in <paramref name="storage"/>; returns once both are listed.</summary>
    public async Task StartAsync(IStorage storage, CancellationToken ct)
    {
        var pods = new StorageFollower(storage, "/registry/pods/", Unscheduled);
        pods.Reset += all =>
        {
            lock (_gate)
            {
                _pods.Clear();
                foreach (var (k, v) in all)
                {
                    if (PodRefs.From(v) is { Node.Length: > 0 } refs)
                    {
                        _pods[k] = refs;
                    }
                }
            }
        };
        pods.Changed += (k, v) => SetPod(k, v);
        var claims = new StorageFollower(storage, "/registry/persistentvolumeclaims/");
        claims.Reset += all =>
        {
            lock (_gate)
            {
                _claimVolumes.Clear();
                foreach (var (_, v) in all)
                {
                    SetClaimLocked(v, deleted: false);
                }
            }
        };
        claims.Changed += (k, v) =>
        {
            lock (_gate)
            {
                if (v is null)
                {
                    _claimVolumes.Remove(k["/registry/persistentvolumeclaims/".Length..]);
                }
                else
                {
                    SetClaimLocked(v, deleted: false);
                }

                SignalLocked();
            }
        };
        _ = Task.Run(() => pods.RunAsync(ct), CancellationToken.None);
        _ = Task.Run(() => claims.RunAsync(ct), CancellationToken.None);
        await Task.WhenAll(pods.Synced, claims.Synced).WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The number of pods the graph holds (those bound to a node).</summary>
    public int PodCount
    {
        get
        {
            lock (_gate)
            {
                return _pods.Count;
            }
        }
    }

    /// <summary>
    /// Adds, replaces or (with null) removes a pod. A pod bound to no node is kept out, as upstream's graph populator
    /// ignores unscheduled pods: it gives no node anything, so the waiters of <see cref="WaitForChangeAsync"/> are not
    /// woken for it.
    /// </summary>
    public void SetPod(string key, JsonObject? pod)
    {
        var refs = pod is null ? null : PodRefs.From(pod);
        lock (_gate)
        {
            if (refs is { Node.Length: > 0 })
            {
                _pods[key] = refs;
            }
            else if (!_pods.Remove(key))
            {
                return;
            }

            SignalLocked();
        }
    }

    /// <summary>
    /// True when the stored pod certainly names no node: JSON without a <c>"nodeName"</c> token anywhere (one search of
    /// the bytes, no decode). A pod that has the token (bound, or the text in a label) is decoded and looked at.
    /// </summary>
    internal static bool Unscheduled(KeyValue kv)
    {
        var bytes = kv.Value.Span;
        return bytes.Length > 0 && bytes[0] == (byte)'{' && bytes.IndexOf("\"nodeName\""u8) < 0;
    }

    private void SetClaimLocked(JsonObject claim, bool deleted)
    {
        var meta = claim["metadata"] as JsonObject;
        var key = (string?)meta?["namespace"] + "/" + (string?)meta?["name"];
        var volume = (string?)claim["spec"]?["volumeName"] ?? "";
        if (deleted || volume.Length == 0)
        {
            _claimVolumes.Remove(key);
        }
        else
        {
            _claimVolumes[key] = volume;
        }
    }

    /// <summary>True when a pod bound to <paramref name="node"/> in <paramref name="ns"/> references the object.</summary>
    public bool NodeReaches(string node, Kind kind, string ns, string name)
    {
        lock (_gate)
        {
            foreach (var p in _pods.Values)
            {
                if (p.Node == node && p.Namespace == ns && p.References(kind, name))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>True when a claim used by a pod on <paramref name="node"/> is bound to the persistent volume <paramref name="volume"/>.</summary>
    public bool NodeReachesVolume(string node, string volume)
    {
        lock (_gate)
        {
            foreach (var p in _pods.Values)
            {
                if (p.Node != node)
                {
                    continue;
                }

                foreach (var claim in p.Claims)
                {
                    if (_claimVolumes.TryGetValue(p.Namespace + "/" + claim, out var v) && v == volume)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>True when the pod <paramref name="ns"/>/<paramref name="name"/> is bound to <paramref name="node"/>.</summary>
    public bool PodOnNode(string node, string ns, string name)
    {
        lock (_gate)
        {
            return _pods.TryGetValue($"/registry/pods/{ns}/{name}", out var p) && p.Node == node;
        }
    }

    private sealed record PodRefs(string Namespace, string Node, HashSet<string> Secrets, HashSet<string> ConfigMaps, HashSet<string> Claims, string ServiceAccount)
    {
        public bool References(Kind kind, string name) => kind switch
        {
            Kind.Secret => Secrets.Contains(name),
            Kind.ConfigMap => ConfigMaps.Contains(name),
            Kind.PersistentVolumeClaim => Claims.Contains(name),
            Kind.ServiceAccount => ServiceAccount == name,
            _ => false,
        };

        public static PodRefs From(JsonObject pod)
        {
            var meta = pod["metadata"] as JsonObject;
            var spec = pod["spec"] as JsonObject;
            var podName = (string?)meta?["name"] ?? "";
            var refs = new PodRefs((string?)meta?["namespace"] ?? "", (string?)spec?["nodeName"] ?? "", [], [], [], (string?)spec?["serviceAccountName"] ?? "default");
            foreach (var s in Objects(spec?["imagePullSecrets"]))
            {
                Add(refs.Secrets, s["name"]);
            }

            foreach (var v in Objects(spec?["volumes"]))
            {
                Add(refs.Secrets, v["secret"]?["secretName"]);
                Add(refs.ConfigMaps, v["configMap"]?["name"]);
                Add(refs.Claims, v["persistentVolumeClaim"]?["claimName"]);
                if (v["ephemeral"] is JsonObject)
                {
                    refs.Claims.Add(podName + "-" + (string?)v["name"]);
                }

                foreach (var source in Objects(v["projected"]?["sources"]))
                {
                    Add(refs.Secrets, source["secret"]?["name"]);
                    Add(refs.ConfigMaps, source["configMap"]?["name"]);
                }
            }

            foreach (var list in new[] { "containers", "initContainers", "ephemeralContainers" })
            {
                foreach (var c in Objects(spec?[list]))
                {
                    foreach (var e in Objects(c["env"]))
                    {
                        Add(refs.Secrets, e["valueFrom"]?["secretKeyRef"]?["name"]);
                        Add(refs.ConfigMaps, e["valueFrom"]?["configMapKeyRef"]?["name"]);
                    }

                    foreach (var e in Objects(c["envFrom"]))
                    {
                        Add(refs.Secrets, e["secretRef"]?["name"]);
                        Add(refs.ConfigMaps, e["configMapRef"]?["name"]);
                    }
                }
            }

            return refs;
        }

        private static IEnumerable<JsonObject> Objects(JsonNode? node) => node is JsonArray a ? a.OfType<JsonObject>() : [];

        private static void Add(HashSet<string> set, JsonNode? name)
        {
            if (name is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
            {
                set.Add(s);
            }
        }
    }
}
