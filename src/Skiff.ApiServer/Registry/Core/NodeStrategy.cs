using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 nodes (<c>pkg/registry/core/node/strategy.go</c>): cluster-scoped, status through <c>/status</c>;
/// field selector <c>spec.unschedulable</c>; the printer derives STATUS from the Ready condition and ROLES from
/// <c>node-role.kubernetes.io/*</c> labels.
/// </summary>
public sealed class NodeStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["spec.unschedulable"] = o => JsonPath.Bool(o, "spec", "unschedulable") == true ? "true" : "false",
    };

    /// <summary>The shared instance.</summary>
    public static NodeStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        // Upstream keeps the status a node registers with (the kubelet creates its node with status).
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Status", "The status of the node"),
            Columns.S("Roles", "The roles of the node"),
            Columns.Age,
            Columns.S("Version", "Kubelet Version reported by the node."),
            Columns.S("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).", 1),
            Columns.S("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).", 1),
            Columns.S("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
            Columns.S("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
            Columns.S("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
        ],
        Cells_);

    private static IReadOnlyList<object?> Cells_(JsonObject o, DateTimeOffset now)
    {
        var status = new List<string>();
        var ready = JsonPath.Objects(o, "status", "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == "Ready");
        if (ready is not null)
        {
            status.Add(JsonPath.Str(ready, "status") == "True" ? "Ready" : "NotReady");
        }
        else
        {
            status.Add("Unknown");
        }

        if (JsonPath.Bool(o, "spec", "unschedulable") == true)
        {
            status.Add("SchedulingDisabled");
        }

        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in JsonPath.StringMap(o, "metadata", "labels"))
        {
            if (k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal) && k.Length > "node-role.kubernetes.io/".Length)
            {
                roles.Add(k["node-role.kubernetes.io/".Length..]);
            }
            else if (k == "kubernetes.io/role" && v.Length > 0)
            {
                roles.Add(v);
            }
        }

        var info = JsonPath.Obj(o, "status", "nodeInfo");
        return
        [
            JsonPath.Name(o),
            string.Join(",", status),
            roles.Count == 0 ? "<none>" : string.Join(",", roles),
            Cells.Age(o, now),
            JsonPath.Str(info, "kubeletVersion") ?? "",
            Address(o, "InternalIP"),
            Address(o, "ExternalIP"),
            Unknown(JsonPath.Str(info, "osImage")),
            Unknown(JsonPath.Str(info, "kernelVersion")),
            Unknown(JsonPath.Str(info, "containerRuntimeVersion")),
        ];
    }

    private static string Address(JsonObject o, string type) =>
        JsonPath.Objects(o, "status", "addresses").Where(a => JsonPath.Str(a, "type") == type).Select(a => JsonPath.Str(a, "address")).FirstOrDefault() ?? "<none>";

    private static string Unknown(string? s) => string.IsNullOrEmpty(s) ? "<unknown>" : s;
}
