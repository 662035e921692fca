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

        usage[group.Length == 0 ? $"count/{resource}" : $"count/{resource}.{group}"] = one;
        if (group.Length == 0 && LegacyCounted.Contains(resource))
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
        foreach (var c in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var (name, node) in c["resources"]?[kind] as JsonObject ?? [])
            {
                if (QuotaQuantity.TryParse(node, out var q))
                {
                    sum[name] = sum.TryGetValue(name, out var s) ? s + q : q;
                }
            }
        }

        foreach (var c in (pod["spec"]?["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var (name, node) in c["resources"]?[kind] as JsonObject ?? [])
            {
                if (QuotaQuantity.TryParse(node, out var q) && (!sum.TryGetValue(name, out var s) || q.Value > s.Value))
                {
                    sum[name] = q;
                }
            }
        }

        foreach (var (name, node) in pod["spec"]?["overhead"] as JsonObject ?? [])
        {
            if (QuotaQuantity.TryParse(node, out var q))
            {
                sum[name] = sum.TryGetValue(name, out var s) ? s + q : q;
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
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var set = limited.ToHashSet(StringComparer.Ordinal);
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Concat((pod["spec"]?["initContainers"] as JsonArray ?? []).OfType<JsonObject>()).ToList();
        foreach (var (quotaName, kind, resource) in (ReadOnlySpan<(string, string, string)>)[
                     ("requests.cpu", "requests", "cpu"), ("cpu", "requests", "cpu"), ("limits.cpu", "limits", "cpu"),
                     ("requests.memory", "requests", "memory"), ("memory", "requests", "memory"), ("limits.memory", "limits", "memory")])
        {
            if (set.Contains(quotaName) && containers.Any(c => c["resources"]?[kind]?[resource] is null))
            {
                missing.Add(quotaName);
            }
        }

        return [.. missing];
    }

    /// <summary>Whether the quota's scopes select <paramref name="obj"/> (scopes only ever select pods).</summary>
    public static bool ScopesMatch(JsonObject quota, string group, string resource, JsonObject obj)
    {
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
        var obj = new JsonObject();
        foreach (var (k, v) in list.OrderBy(p => p.Key, StringComparer.Ordinal))
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

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
