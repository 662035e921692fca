using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream 1.32's API Priority and Fairness bootstrap configuration
/// (<c>staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go</c>), as flowcontrol.apiserver.k8s.io/v1
/// objects: the mandatory <c>exempt</c> and <c>catch-all</c> priority levels and flow schemas, and the suggested
/// ones (<c>system</c>, <c>node-high</c>, <c>leader-election</c>, <c>workload-high</c>, <c>workload-low</c>,
/// <c>global-default</c>, and the schemas that reference them), plus two Skiff schemas that classify hollow nodes as
/// upstream classifies kubelets. Every call returns fresh objects.
/// </summary>
public static class FlowControlBootstrap
{
    /// <summary>The annotation that says whether the API server keeps an object's spec equal to its bootstrap value.</summary>
    public const string AutoUpdateAnnotation = "apf.kubernetes.io/autoupdate-spec";

    /// <summary>The group of Skiff's hollow nodes (one identity for a whole simulated fleet).</summary>
    public const string HollowNodesGroup = "skiff:hollow-nodes";

    private const string Everything = "*";

    /// <summary>The mandatory priority levels: exempt, catch-all.</summary>
    public static IReadOnlyList<JsonObject> MandatoryPriorityLevels() =>
    [
        Pl("exempt", new JsonObject
        {
            ["type"] = "Exempt",
            ["exempt"] = new JsonObject { ["nominalConcurrencyShares"] = 0, ["lendablePercent"] = 0 },
        }),
        Pl("catch-all", new JsonObject
        {
            ["type"] = "Limited",
            ["limited"] = new JsonObject
            {
                ["nominalConcurrencyShares"] = 5,
                ["lendablePercent"] = 0,
                ["limitResponse"] = new JsonObject { ["type"] = "Reject" },
            },
        }),
    ];

    /// <summary>The suggested priority levels.</summary>
    public static IReadOnlyList<JsonObject> SuggestedPriorityLevels() =>
    [
        Queued("system", 30, 33, 64, 6, 50),
        Queued("node-high", 40, 25, 64, 6, 50),
        Queued("leader-election", 10, 0, 16, 4, 50),
        Queued("workload-high", 40, 50, 128, 6, 50),
        Queued("workload-low", 100, 90, 128, 6, 50),
        Queued("global-default", 20, 50, 128, 6, 50),
    ];

    /// <summary>The mandatory flow schemas: exempt (system:masters), catch-all (everyone, ByUser).</summary>
    public static IReadOnlyList<JsonObject> MandatoryFlowSchemas() =>
    [
        Fs("exempt", "exempt", 1, null, Rule(Groups("system:masters"), AllResources(), AllNonResources())),
        Fs("catch-all", "catch-all", 10000, "ByUser", Rule(Groups("system:unauthenticated", "system:authenticated"), AllResources(), AllNonResources())),
    ];

    /// <summary>The suggested flow schemas.</summary>
    public static IReadOnlyList<JsonObject> SuggestedFlowSchemas()
    {
        string[] getCreateUpdate = ["get", "create", "update"];
        return
        [
            Fs("system-nodes", "system", 500, "ByUser", Rule(Groups("system:nodes"), AllResources(), AllNonResources())),
            Fs("system-node-high", "node-high", 400, "ByUser", Rule(Groups("system:nodes"),
                new JsonArray(
                    Resource([Everything], [""], ["nodes", "nodes/status"], [Everything], true),
                    Resource([Everything], ["coordination.k8s.io"], ["leases"], [Everything], false)),
                null)),
            // Skiff's: hollow nodes share one identity in HollowNodesGroup, not system:node:<name> in system:nodes;
            // these put them where upstream puts kubelets (node-high for their Nodes and Leases, system otherwise).
            Fs("skiff-hollow-nodes", "system", 500, "ByUser", Rule(Groups(HollowNodesGroup), AllResources(), AllNonResources())),
            Fs("skiff-hollow-node-high", "node-high", 400, "ByUser", Rule(Groups(HollowNodesGroup),
                new JsonArray(
                    Resource([Everything], [""], ["nodes", "nodes/status"], [Everything], true),
                    Resource([Everything], ["coordination.k8s.io"], ["leases"], [Everything], false)),
                null)),
            Fs("probes", "exempt", 2, null, Rule(Groups("system:unauthenticated", "system:authenticated"), null,
                new JsonArray(new JsonObject { ["verbs"] = Strings("get"), ["nonResourceURLs"] = Strings("/healthz", "/readyz", "/livez") }))),
            Fs("system-leader-election", "leader-election", 100, "ByUser", Rule(
                Concat(Users("system:kube-controller-manager", "system:kube-scheduler"), KubeSystemServiceAccounts(Everything)),
                new JsonArray(
                    Resource(getCreateUpdate, [""], ["endpoints", "configmaps"], ["kube-system"], false),
                    Resource(getCreateUpdate, ["coordination.k8s.io"], ["leases"], [Everything], false)),
                null)),
            Fs("endpoint-controller", "workload-high", 150, "ByUser", Rule(
                Concat(Users("system:kube-controller-manager"), KubeSystemServiceAccounts("endpoint-controller")),
                new JsonArray(Resource(getCreateUpdate, [""], ["endpoints"], [Everything], false)),
                null)),
            Fs("workload-leader-election", "leader-election", 200, "ByUser", Rule(
                KubeSystemServiceAccounts(Everything),
                new JsonArray(
                    Resource(getCreateUpdate, [""], ["endpoints", "configmaps"], [Everything], false),
                    Resource(getCreateUpdate, ["coordination.k8s.io"], ["leases"], [Everything], false)),
                null)),
            Fs("kube-controller-manager", "workload-high", 800, "ByNamespace", Rule(Users("system:kube-controller-manager"), AllResources(), AllNonResources())),
            Fs("kube-scheduler", "workload-high", 800, "ByNamespace", Rule(Users("system:kube-scheduler"), AllResources(), AllNonResources())),
            Fs("kube-system-service-accounts", "workload-high", 900, "ByNamespace", Rule(KubeSystemServiceAccounts(Everything), AllResources(), AllNonResources())),
            Fs("service-accounts", "workload-low", 9000, "ByUser", Rule(Groups("system:serviceaccounts"), AllResources(), AllNonResources())),
            Fs("global-default", "global-default", 9900, "ByUser", Rule(Groups("system:unauthenticated", "system:authenticated"), AllResources(), AllNonResources())),
        ];
    }

    /// <summary>Whether <paramref name="name"/> is a mandatory flow schema (its spec is fixed).</summary>
    public static bool IsMandatoryFlowSchema(string name) => name is "exempt" or "catch-all";

    /// <summary>Whether <paramref name="name"/> is a mandatory priority level.</summary>
    public static bool IsMandatoryPriorityLevel(string name) => name is "exempt" or "catch-all";

    /// <summary>
    /// Whether two flow-schema or priority-level specs are the same configuration: equal once the false-by-default
    /// <c>clusterScope</c> of resource rules is dropped (a stored, defaulted spec against a bootstrap value).
    /// </summary>
    public static bool SpecEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(Comparable(a), Comparable(b));

    private static JsonNode? Comparable(JsonNode? spec)
    {
        var copy = spec?.DeepClone();
        foreach (var rule in JsonPath.Arr(copy, "rules") ?? [])
        {
            foreach (var r in JsonPath.Arr(rule, "resourceRules") ?? [])
            {
                if (r is JsonObject o && JsonPath.Bool(o, "clusterScope") != true)
                {
                    o.Remove("clusterScope");
                }
            }
        }

        return copy;
    }

    private static JsonObject Pl(string name, JsonObject spec) => new()
    {
        ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
        ["kind"] = "PriorityLevelConfiguration",
        ["metadata"] = Meta(name),
        ["spec"] = spec,
    };

    private static JsonObject Queued(string name, int shares, int lendable, int queues, int handSize, int queueLengthLimit) => Pl(name, new JsonObject
    {
        ["type"] = "Limited",
        ["limited"] = new JsonObject
        {
            ["nominalConcurrencyShares"] = shares,
            ["lendablePercent"] = lendable,
            ["limitResponse"] = new JsonObject
            {
                ["type"] = "Queue",
                ["queuing"] = new JsonObject { ["queues"] = queues, ["handSize"] = handSize, ["queueLengthLimit"] = queueLengthLimit },
            },
        },
    });

    private static JsonObject Fs(string name, string priorityLevel, int precedence, string? distinguisher, JsonObject rule)
    {
        var spec = new JsonObject
        {
            ["priorityLevelConfiguration"] = new JsonObject { ["name"] = priorityLevel },
            ["matchingPrecedence"] = precedence,
        };
        if (distinguisher is not null)
        {
            spec["distinguisherMethod"] = new JsonObject { ["type"] = distinguisher };
        }

        spec["rules"] = new JsonArray(rule);
        return new JsonObject
        {
            ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
            ["kind"] = "FlowSchema",
            ["metadata"] = Meta(name),
            ["spec"] = spec,
        };
    }

    private static JsonObject Meta(string name) => new()
    {
        ["name"] = name,
        ["annotations"] = new JsonObject { [AutoUpdateAnnotation] = "true" },
    };

    private static JsonObject Rule(JsonArray subjects, JsonArray? resourceRules, JsonArray? nonResourceRules)
    {
        var rule = new JsonObject { ["subjects"] = subjects };
        if (resourceRules is not null)
        {
            rule["resourceRules"] = resourceRules;
        }

        if (nonResourceRules is not null)
        {
            rule["nonResourceRules"] = nonResourceRules;
        }

        return rule;
    }

    private static JsonArray AllResources() => new(Resource([Everything], [Everything], [Everything], [Everything], true));

    private static JsonArray AllNonResources() => new(new JsonObject { ["verbs"] = Strings(Everything), ["nonResourceURLs"] = Strings(Everything) });

    private static JsonObject Resource(string[] verbs, string[] groups, string[] resources, string[] namespaces, bool clusterScope)
    {
        var rule = new JsonObject { ["verbs"] = Strings(verbs), ["apiGroups"] = Strings(groups), ["resources"] = Strings(resources) };
        if (clusterScope)
        {
            rule["clusterScope"] = true;
        }

        rule["namespaces"] = Strings(namespaces);
        return rule;
    }

    private static JsonArray Groups(params string[] names) =>
        new([.. names.Select(n => (JsonNode)new JsonObject { ["kind"] = "Group", ["group"] = new JsonObject { ["name"] = n } })]);

    private static JsonArray Users(params string[] names) =>
        new([.. names.Select(n => (JsonNode)new JsonObject { ["kind"] = "User", ["user"] = new JsonObject { ["name"] = n } })]);

    private static JsonArray KubeSystemServiceAccounts(params string[] names) =>
        new([.. names.Select(n => (JsonNode)new JsonObject { ["kind"] = "ServiceAccount", ["serviceAccount"] = new JsonObject { ["name"] = n, ["namespace"] = "kube-system" } })]);

    private static JsonArray Concat(JsonArray a, JsonArray b) => new([.. a.Select(x => x!.DeepClone()), .. b.Select(x => x!.DeepClone())]);

    private static JsonArray Strings(params string[] values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
