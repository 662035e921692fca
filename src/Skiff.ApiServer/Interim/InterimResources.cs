using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// A handful of built-in resources (namespaces, configmaps, secrets, pods, services, events, deployments) with
/// just enough strategy for kubectl. INTERIM: replaced by the resources helper's BuiltInResources catalogue.
/// </summary>
public static class InterimResources
{
    private static readonly TableColumn NameColumn = TableDefinition.Default.Columns[0];

    private static TableColumn Col(string name, string type = "string", int priority = 0) => new(name, type, "", name, priority);

    /// <summary>The descriptors.</summary>
    public static IReadOnlyList<ResourceDescriptor> All { get; } =
    [
        new()
        {
            Group = "", Version = "v1", Resource = "namespaces", SingularName = "namespace", Kind = "Namespace", Namespaced = false,
            ShortNames = ["ns"], Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
            Subresources = [new("finalize", "", "v1", "Namespace", ["update"]), new("status", "", "v1", "Namespace", ["get", "patch", "update"])],
            Strategy = new NamespaceStrategy(),
        },
        new()
        {
            Group = "", Version = "v1", Resource = "configmaps", SingularName = "configmap", Kind = "ConfigMap", Namespaced = true,
            ShortNames = ["cm"], Strategy = new SimpleStrategy(
                new TableDefinition([NameColumn, Col("Data", "integer"), Col("Age")],
                    (o, now) => [Store.Meta.Name(o), (long)((o["data"] as JsonObject)?.Count ?? 0) + ((o["binaryData"] as JsonObject)?.Count ?? 0), Age(o, now)])),
        },
        new()
        {
            Group = "", Version = "v1", Resource = "secrets", SingularName = "secret", Kind = "Secret", Namespaced = true,
            Strategy = new SimpleStrategy(new TableDefinition([NameColumn, Col("Type"), Col("Data", "integer"), Col("Age")],
                (o, now) => [Store.Meta.Name(o), o["type"]?.GetValue<string>() ?? "Opaque", (long)((o["data"] as JsonObject)?.Count ?? 0), Age(o, now)])),
        },
        new()
        {
            Group = "", Version = "v1", Resource = "pods", SingularName = "pod", Kind = "Pod", Namespaced = true, ShortNames = ["po"], Categories = ["all"],
            Subresources = [new("status", "", "v1", "Pod", ["get", "patch", "update"])],
            Strategy = new SimpleStrategy(
                new TableDefinition(
                    [NameColumn, Col("Ready"), Col("Status"), Col("Restarts"), Col("Age"), Col("IP", priority: 1), Col("Node", priority: 1), Col("Nominated Node", priority: 1), Col("Readiness Gates", priority: 1)],
                    (o, now) =>
                    [
                        Store.Meta.Name(o),
                        $"0/{(o["spec"]?["containers"] as JsonArray)?.Count ?? 0}",
                        Store.Meta.Str(o, "deletionTimestamp") is not null ? "Terminating" : o["status"]?["phase"]?.GetValue<string>() ?? "Pending",
                        "0",
                        Age(o, now),
                        o["status"]?["podIP"]?.GetValue<string>() ?? "<none>",
                        o["spec"]?["nodeName"]?.GetValue<string>() ?? "<none>",
                        "<none>",
                        "<none>",
                    ]),
                hasStatus: true,
                selectable: new Dictionary<string, Func<JsonObject, string?>>
                {
                    ["spec.nodeName"] = o => o["spec"]?["nodeName"]?.GetValue<string>(),
                    ["status.phase"] = o => o["status"]?["phase"]?.GetValue<string>(),
                }),
        },
        new()
        {
            Group = "", Version = "v1", Resource = "services", SingularName = "service", Kind = "Service", Namespaced = true, ShortNames = ["svc"], Categories = ["all"],
            Subresources = [new("status", "", "v1", "Service", ["get", "patch", "update"])],
            Strategy = new SimpleStrategy(null, hasStatus: true),
        },
        new()
        {
            Group = "", Version = "v1", Resource = "events", SingularName = "event", Kind = "Event", Namespaced = true, ShortNames = ["ev"],
            Strategy = new SimpleStrategy(null, selectable: new Dictionary<string, Func<JsonObject, string?>>
            {
                ["involvedObject.name"] = o => o["involvedObject"]?["name"]?.GetValue<string>(),
                ["involvedObject.namespace"] = o => o["involvedObject"]?["namespace"]?.GetValue<string>(),
                ["involvedObject.uid"] = o => o["involvedObject"]?["uid"]?.GetValue<string>(),
                ["involvedObject.kind"] = o => o["involvedObject"]?["kind"]?.GetValue<string>(),
                ["reason"] = o => o["reason"]?.GetValue<string>(),
                ["type"] = o => o["type"]?.GetValue<string>(),
            }),
        },
        new()
        {
            Group = "apps", Version = "v1", Resource = "deployments", SingularName = "deployment", Kind = "Deployment", Namespaced = true,
            ShortNames = ["deploy"], Categories = ["all"],
            Subresources = [new("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]), new("status", "apps", "v1", "Deployment", ["get", "patch", "update"])],
            Strategy = new SimpleStrategy(null, hasStatus: true, generation: true),
        },
    ];

    /// <summary>Upstream's human duration ("5m", "3d4h") for creationTimestamp.</summary>
    public static string Age(JsonObject o, DateTimeOffset now)
    {
        var t = Store.Meta.ParseTimestamp(Store.Meta.Str(o, "creationTimestamp"));
        if (t is null)
        {
            return "<unknown>";
        }

        var d = now - t.Value;
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        var s = (long)d.TotalSeconds;
        if (s < 120) return $"{s}s";
        var m = s / 60;
        if (m < 10) return s % 60 == 0 ? $"{m}m" : $"{m}m{s % 60}s";
        if (m < 180) return $"{m}m";
        var h = m / 60;
        if (h < 8) return m % 60 == 0 ? $"{h}h" : $"{h}h{m % 60}m";
        if (h < 48) return $"{h}h";
        if (h < 24 * 8) return h % 24 == 0 ? $"{h / 24}d" : $"{h / 24}d{h % 24}h";
        if (h < 24 * 365 * 2) return $"{h / 24}d";
        return $"{h / 24 / 365}y";
    }

    private sealed class SimpleStrategy(TableDefinition? table, bool hasStatus = false, bool generation = false,
        IReadOnlyDictionary<string, Func<JsonObject, string?>>? selectable = null) : IResourceStrategy
    {
        public TableDefinition Table => table ?? TableDefinition.Default;

        public bool HasStatusSubresource => hasStatus;

        public IReadOnlyList<string>? GenerationFields => generation ? null : [];

        public IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => selectable ?? new Dictionary<string, Func<JsonObject, string?>>();

        public void PrepareForCreate(JsonObject obj)
        {
            if (hasStatus)
            {
                obj.Remove("status");
            }
        }
    }

    private sealed class NamespaceStrategy : IResourceStrategy
    {
        public TableDefinition Table { get; } = new([NameColumn, Col("Status"), Col("Age")],
            (o, now) => [Store.Meta.Name(o), o["status"]?["phase"]?.GetValue<string>() ?? "", Age(o, now)]);

        public bool HasStatusSubresource => true;

        public IReadOnlyList<string>? GenerationFields => [];

        public IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields { get; } =
            new Dictionary<string, Func<JsonObject, string?>> { ["status.phase"] = o => o["status"]?["phase"]?.GetValue<string>() };

        public void PrepareForCreate(JsonObject obj)
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
            if (obj["spec"] is not JsonObject spec)
            {
                spec = new JsonObject();
                obj["spec"] = spec;
            }

            spec["finalizers"] = new JsonArray("kubernetes");
        }

        public void ApplyDefaults(JsonObject obj)
        {
            var labels = obj["metadata"]?["labels"] as JsonObject;
            if (labels is null && obj["metadata"] is JsonObject m)
            {
                labels = new JsonObject();
                m["labels"] = labels;
            }

            if (labels is not null)
            {
                labels["kubernetes.io/metadata.name"] = Store.Meta.Name(obj);
            }
        }

        public void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
        {
            newObj["status"] = oldObj["status"]?.DeepClone();
            if (newObj["spec"] is JsonObject spec)
            {
                spec["finalizers"] = oldObj["spec"]?["finalizers"]?.DeepClone();
            }
            else
            {
                newObj["spec"] = oldObj["spec"]?.DeepClone();
            }
        }
    }
}
