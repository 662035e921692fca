using System.Text.Json.Nodes;

namespace Skiff.Api.Quota;

/// <summary>
/// What one object counts against a ResourceQuota (upstream's quota evaluators,
/// <c>pkg/quota/v1/evaluator/core</c> and the generic <c>count/…</c> evaluator): pods (count, cpu, memory,
/// ephemeral-storage and extended requests and limits, the larger of the containers' sum and any init container,
/// plus overhead; terminal pods count nothing), services (count, node ports, load balancers), persistent volume
/// claims (count and storage, also per storage class), and <c>count/RESOURCE[.GROUP]</c> for everything. Scopes
/// (BestEffort, NotBestEffort, Terminating, NotTerminating, PriorityClass) select pods only.
/// </summary>
public static class QuotaUsage
{
    private static readonly string[] LegacyCounted = ["pods", "services", "persistentvolumeclaims", "configmaps", "secrets", "replicationcontrollers", "resourcequotas"];

    /// <summary>The usage of <paramref name="obj"/> of <paramref name="group"/>/<paramref name="resource"/>.</summary>
    public static Dictionary<string, QuotaQuantity> Of(string group, string resource, JsonObject obj)
    {
        var usage = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal);
        var one = new QuotaQuantity(1, false);
        if (group.Length == 0 && resource == "pods" && IsTerminal(obj))
        {
            return usage;
        }

        usage[CountName(group, resource)] = one;
        if (group.Length == 0 && Array.IndexOf(LegacyCounted, resource) >= 0)
        {
            usage[resource] = one;
        }

        if (group.Length != 0)
        {
            return usage;
        }

        switch (resource)
        {
            case "pods":
                AddPod(obj, usage);
                break;
            case "services":
                var type = Str(obj["spec"]?["type"]) ?? "ClusterIP";
                if (type is "NodePort" or "LoadBalancer")
                {
                    var ports = (obj["spec"]?["ports"] as JsonArray)?.Count ?? 0;
                    usage["services.nodeports"] = new QuotaQuantity(ports, false);
                }

                if (type == "LoadBalancer")
                {
                    usage["services.loadbalancers"] = one;
                }

                break;
            case "persistentvolumeclaims":
                var cls = Str(obj["spec"]?["storageClassName"]) ?? "";
                if (QuotaQuantity.TryParse(obj["spec"]?["resources"]?["requests"]?["storage"], out var storage))
                {
                    usage["requests.storage"] = storage;
                    if (cls.Length > 0)
                    {
                        usage[$"{cls}.storageclass.storage.k8s.io/requests.storage"] = storage;
                    }
                }

                if (cls.Length > 0)
                {
                    usage[$"{cls}.storageclass.storage.k8s.io/persistentvolumeclaims"] = one;
                }

                break;
        }

        return usage;
    }

    /// <summary>Whether a pod is Succeeded or Failed (it then uses no quota).</summary>
    public static bool IsTerminal(JsonObject pod) => Str(pod["status"]?["phase"]) is "Succeeded" or "Failed";

    private static void AddPod(JsonObject pod, Dictionary<string, QuotaQuantity> usage)
    {
        foreach (var (kind, prefix) in (ReadOnlySpan<(string, string)>)[("requests", "requests."), ("limits", "limits.")])
        {
            var totals = PodResources(pod, kind);
            foreach (var (name, q) in totals)
            {
                usage[prefix + name] = q;
                if (kind == "requests" && name is "cpu" or "memory" or "ephemeral-storage")
                {
                    usage[name] = q;
                }
            }
        }
    }

    /// <summary>The pod's effective requests or limits: max(sum of containers, each init container) plus overhead.</summary>
    public static Dictionary<string, QuotaQuantity> PodResources(JsonObject pod, string kind)
    {
        var sum = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal);
        var spec = pod["spec"] as JsonObject;
        if (spec?["containers"] is JsonArray containers)
        {
            foreach (var c in containers)
            {
                if ((c as JsonObject)?["resources"]?[kind] is JsonObject list)
                {
                    foreach (var (name, node) in list)
                    {
                        if (QuotaQuantity.TryParse(node, out var q))
                        {
                            sum[name] = sum.TryGetValue(name, out var s) ? s + q : q;
                        }
                    }
                }
            }
        }

        if (spec?["initContainers"] is JsonArray initContainers)
        {
            foreach (var c in initContainers)
            {
                if ((c as JsonObject)?["resources"]?[kind] is JsonObject list)
                {
                    foreach (var (name, node) in list)
                    {
                        if (QuotaQuantity.TryParse(node, out var q) && (!sum.TryGetValue(name, out var s) || q.Value > s.Value))
                        {
                            sum[name] = q;
                        }
                    }
                }
            }
        }

        if (spec?["overhead"] is JsonObject overhead)
        {
            foreach (var (name, node) in overhead)
            {
                if (QuotaQuantity.TryParse(node, out var q))
                {
                    sum[name] = sum.TryGetValue(name, out var s) ? s + q : q;
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// Upstream's pod constraints: a quota limiting <c>requests.cpu</c> (or <c>cpu</c>), <c>limits.cpu</c>,
    /// <c>requests.memory</c> (or <c>memory</c>) or <c>limits.memory</c> needs every container to state it; returns
    /// the missing quota resource names, sorted (empty when none).
    /// </summary>
    public static IReadOnlyList<string> MissingPodResources(JsonObject pod, IEnumerable<string> limited)
    {
        var set = limited as ICollection<string> ?? limited.ToHashSet(StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var (quotaName, kind, resource) in PodConstraints)
        {
            if (set.Contains(quotaName) && (AnyContainerLacks(pod, "containers", kind, resource) || AnyContainerLacks(pod, "initContainers", kind, resource)))
            {
                (missing ??= []).Add(quotaName);
            }
        }

        return missing ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The quota names whose pods must state a request or limit, sorted (the order upstream reports them in).</summary>
    private static readonly (string QuotaName, string Kind, string Resource)[] PodConstraints =
    [
        ("cpu", "requests", "cpu"), ("limits.cpu", "limits", "cpu"), ("limits.memory", "limits", "memory"),
        ("memory", "requests", "memory"), ("requests.cpu", "requests", "cpu"), ("requests.memory", "requests", "memory"),
    ];

    private static bool AnyContainerLacks(JsonObject pod, string list, string kind, string resource)
    {
        if (pod["spec"]?[list] is not JsonArray containers)
        {
            return false;
        }

        foreach (var c in containers)
        {
            if (c is JsonObject container && container["resources"]?[kind]?[resource] is null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the quota's scopes select <paramref name="obj"/> (scopes only ever select pods).</summary>
    public static bool ScopesMatch(JsonObject quota, string group, string resource, JsonObject obj)
    {
        if (quota["spec"] is not JsonObject spec || (spec["scopes"] is not JsonArray { Count: > 0 } && spec["scopeSelector"] is null))
        {
            return true; // the common quota, unscoped: nothing to build
        }

        var scopes = (quota["spec"]?["scopes"] as JsonArray ?? []).Select(Str).OfType<string>().ToList();
        var expressions = (quota["spec"]?["scopeSelector"]?["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (scopes.Count == 0 && expressions.Count == 0)
        {
            return true;
        }

        if (group.Length != 0 || resource != "pods")
        {
            return false;
        }

        foreach (var scope in scopes)
        {
            if (!ScopeMatches(scope, "Exists", [], obj))
            {
                return false;
            }
        }

        foreach (var e in expressions)
        {
            var values = (e["values"] as JsonArray ?? []).Select(Str).OfType<string>().ToList();
            if (!ScopeMatches(Str(e["scopeName"]) ?? "", Str(e["operator"]) ?? "", values, obj))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ScopeMatches(string scope, string op, List<string> values, JsonObject pod)
    {
        bool BestEffort() => PodResources(pod, "requests").Count == 0 && PodResources(pod, "limits").Count == 0;
        var terminating = pod["spec"]?["activeDeadlineSeconds"] is not null;
        switch (scope)
        {
            case "BestEffort": return BestEffort();
            case "NotBestEffort": return !BestEffort();
            case "Terminating": return terminating;
            case "NotTerminating": return !terminating;
            case "PriorityClass":
                var pc = Str(pod["spec"]?["priorityClassName"]) ?? "";
                return op switch
                {
                    "In" => values.Contains(pc),
                    "NotIn" => !values.Contains(pc),
                    "Exists" => pc.Length > 0,
                    "DoesNotExist" => pc.Length == 0,
                    _ => false,
                };
            default: return false;
        }
    }

    /// <summary>Upstream's <c>prettyPrint</c>: <c>name=value</c> pairs sorted by name, comma-separated.</summary>
    public static string PrettyPrint(IEnumerable<KeyValuePair<string, QuotaQuantity>> list) =>
        string.Join(",", list.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>A ResourceList as a JSON object of canonical quantity strings, sorted by name.</summary>
    public static JsonObject ToJson(IEnumerable<KeyValuePair<string, QuotaQuantity>> list)
    {
        var sorted = list.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var obj = new JsonObject();
        foreach (var (k, v) in sorted)
        {
            obj[k] = v.ToString();
        }

        return obj;
    }

    /// <summary>Reads a ResourceList (a JSON object of quantities); malformed entries are skipped.</summary>
    public static Dictionary<string, QuotaQuantity> FromJson(JsonNode? node)
    {
        var list = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal);
        foreach (var (k, v) in node as JsonObject ?? [])
        {
            if (QuotaQuantity.TryParse(v, out var q))
            {
                list[k] = q;
            }
        }

        return list;
    }

    /// <summary>The generic evaluator's <c>count/RESOURCE[.GROUP]</c> name (the core resources' names are made once).</summary>
    private static string CountName(string group, string resource)
    {
        if (group.Length != 0)
        {
            return $"count/{resource}.{group}";
        }

        if (CoreCountNames.TryGetValue(resource, out var name))
        {
            return name;
        }

        name = "count/" + resource;
        if (CoreCountNames.Count < 256)
        {
            CoreCountNames.TryAdd(resource, name);
        }

        return name;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> CoreCountNames = new(StringComparer.Ordinal);

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
