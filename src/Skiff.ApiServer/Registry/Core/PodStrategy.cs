using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 pods (<c>pkg/registry/core/pod/strategy.go</c>): status starts as Pending with a QoS class (priority 0 and
/// PreemptLowerPriority unless the Priority admission plugin set them), the spec
/// is immutable except for images, activeDeadlineSeconds, toleration additions and a negative grace period set
/// to 1; upstream's field selectors and printer.
/// </summary>
public sealed class PodStrategy : ResourceStrategy
{
    /// <summary>Upstream's text for a forbidden pod spec change.</summary>
    public const string UpdateForbiddenMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["spec.nodeName"] = o => JsonPath.Str(o, "spec", "nodeName") ?? "",
        ["spec.restartPolicy"] = o => JsonPath.Str(o, "spec", "restartPolicy") ?? "",
        ["spec.schedulerName"] = o => JsonPath.Str(o, "spec", "schedulerName") ?? "",
        ["spec.serviceAccountName"] = o => JsonPath.Str(o, "spec", "serviceAccountName") ?? "",
        ["spec.hostNetwork"] = o => JsonPath.Bool(o, "spec", "hostNetwork") == true ? "true" : "false",
        ["status.phase"] = o => JsonPath.Str(o, "status", "phase") ?? "",
        ["status.podIP"] = PodIp,
        ["status.podIPs"] = o => string.Join(",", JsonPath.Objects(o, "status", "podIPs").Select(p => JsonPath.Str(p, "ip") ?? "")),
        ["status.nominatedNodeName"] = o => JsonPath.Str(o, "status", "nominatedNodeName") ?? "",
    };

    /// <summary>The shared instance.</summary>
    public static PodStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override TableDefinition Table => PodPrinter.Table;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(JsonPath.Obj(obj, "spec")) };

        // What the Priority admission plugin sets when it is off (it runs before this and wins when on).
        var spec = JsonPath.Ensure(obj, "spec");
        if (JsonPath.Str(spec, "priorityClassName") is null or "")
        {
            JsonPath.Default(spec, "priority", 0);
        }

        JsonPath.DefaultString(spec, "preemptionPolicy", "PreemptLowerPriority");
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        PodSpecRules.ApplyDefaults(JsonPath.Ensure(obj, "spec"), isPod: true);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => PodSpecRules.Validate(obj["spec"], "spec", isPod: true);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        var errors = ValidateCreate(newObj).ToList();
        if (errors.Count > 0)
        {
            return errors;
        }

        var oldSpec = Normalize(oldObj["spec"]) as JsonObject ?? [];
        var newSpec = Normalize(newObj["spec"]) as JsonObject ?? [];
        var allowed = oldSpec.DeepClone().AsObject();
        foreach (var key in (string[])["containers", "initContainers"])
        {
            if (JsonPath.Arr(allowed, key) is { } oldList && JsonPath.Arr(newSpec, key) is { } newList && oldList.Count == newList.Count)
            {
                for (var i = 0; i < oldList.Count; i++)
                {
                    if (oldList[i] is JsonObject oc && newList[i] is JsonObject nc)
                    {
                        oc["image"] = nc["image"]?.DeepClone();
                    }
                }
            }
        }

        var oldDeadline = JsonPath.Long(oldSpec, "activeDeadlineSeconds");
        var newDeadline = JsonPath.Long(newSpec, "activeDeadlineSeconds");
        if (newDeadline is > 0 && (oldDeadline is null || newDeadline <= oldDeadline))
        {
            allowed["activeDeadlineSeconds"] = newDeadline.Value;
        }

        var oldTolerations = JsonPath.Arr(oldSpec, "tolerations") ?? [];
        var newTolerations = JsonPath.Arr(newSpec, "tolerations") ?? [];
        if (oldTolerations.All(t => newTolerations.Any(n => JsonNode.DeepEquals(t, n))))
        {
            allowed["tolerations"] = newTolerations.DeepClone();
            if (newTolerations.Count == 0)
            {
                allowed.Remove("tolerations");
            }
        }

        // Upstream's PodSchedulingReadiness: scheduling gates may only be removed.
        var oldGates = JsonPath.Arr(oldSpec, "schedulingGates") ?? [];
        var newGates = JsonPath.Arr(newSpec, "schedulingGates") ?? [];
        if (newGates.All(g => oldGates.Any(o => JsonNode.DeepEquals(g, o))))
        {
            allowed["schedulingGates"] = newGates.DeepClone();
            if (newGates.Count == 0)
            {
                allowed.Remove("schedulingGates");
            }
        }

        if (JsonPath.Long(oldSpec, "terminationGracePeriodSeconds") is < 0 && JsonPath.Long(newSpec, "terminationGracePeriodSeconds") == 1)
        {
            allowed["terminationGracePeriodSeconds"] = 1;
        }

        if (!JsonNode.DeepEquals(allowed, newSpec))
        {
            errors.Add(FieldError.Forbidden("spec", UpdateForbiddenMessage));
        }

        return errors;
    }

    /// <summary>
    /// <c>pods/ephemeralcontainers</c> (<c>kubectl debug</c>; upstream <c>ephemeralContainersStrategy</c>): the stored
    /// pod with only <c>spec.ephemeralContainers</c> taken from the request.
    /// </summary>
    public override void PrepareForSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj)
    {
        var ephemeral = JsonPath.Arr(newObj["spec"] as JsonObject, "ephemeralContainers")?.DeepClone();
        foreach (var key in newObj.Select(p => p.Key).Where(k => k != "metadata").ToArray())
        {
            newObj.Remove(key);
        }

        foreach (var (key, value) in oldObj.Where(p => p.Key != "metadata"))
        {
            newObj[key] = value?.DeepClone();
        }

        if (newObj["spec"] is JsonObject spec)
        {
            if (ephemeral is JsonArray { Count: > 0 })
            {
                spec["ephemeralContainers"] = ephemeral;
            }
            else
            {
                spec.Remove("ephemeralContainers");
            }
        }
    }

    /// <summary>
    /// Upstream's <c>ValidatePodEphemeralContainersUpdate</c>: the pod's usual rules (names unique across every
    /// container, an image each), the fields ephemeral containers may not set, a targetContainerName naming a
    /// container of the pod, and existing ephemeral containers neither changed nor removed.
    /// </summary>
    public override IEnumerable<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj)
    {
        var errors = ValidateCreate(newObj).ToList();
        var spec = newObj["spec"] as JsonObject ?? [];
        var names = JsonPath.Objects(spec, "containers").Concat(JsonPath.Objects(spec, "initContainers")).Select(c => JsonPath.Str(c, "name")).ToHashSet();
        var list = JsonPath.Objects(spec, "ephemeralContainers").ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var path = $"spec.ephemeralContainers[{i}]";
            foreach (var field in (string[])["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources", "resizePolicy", "restartPolicy"])
            {
                if (list[i][field] is { } value && !(value is JsonArray { Count: 0 } || value is JsonObject { Count: 0 }))
                {
                    errors.Add(FieldError.Forbidden($"{path}.{field}", "cannot be set for an Ephemeral Container"));
                }
            }

            if (JsonPath.Str(list[i], "targetContainerName") is { Length: > 0 } target && !names.Contains(target))
            {
                errors.Add(FieldError.NotFound($"{path}.targetContainerName", GoFormat.Quote(target)));
            }
        }

        var newByName = list.ToDictionary(c => JsonPath.Str(c, "name") ?? "", c => (JsonNode)c, StringComparer.Ordinal);
        foreach (var old in JsonPath.Objects(oldObj["spec"] as JsonObject, "ephemeralContainers"))
        {
            var name = JsonPath.Str(old, "name") ?? "";
            if (!newByName.TryGetValue(name, out var now))
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{name}\" may not be removed"));
            }
            else if (!JsonNode.DeepEquals(Normalize(old), Normalize(now)))
            {
                errors.Add(FieldError.Forbidden("spec.ephemeralContainers", $"existing ephemeral containers \"{name}\" may not be changed"));
            }
        }

        return errors;
    }

    /// <summary>
    /// upstream's <c>podStrategy.CheckGracefulDelete</c>: the requested period, else
    /// <c>spec.terminationGracePeriodSeconds</c> (30); 0 for pods that never reached a node or already finished; a
    /// period of 0 means "delete now" (null).
    /// </summary>
    public override long? DeletionGracePeriod(JsonObject obj, long? requested)
    {
        var period = requested ?? JsonPath.Long(obj, "spec", "terminationGracePeriodSeconds") ?? 30;
        if (period < 0)
        {
            period = 1;
        }

        if (JsonPath.Str(obj, "spec", "nodeName") is null or "" || JsonPath.Str(obj, "status", "phase") is "Succeeded" or "Failed")
        {
            period = 0;
        }

        return period > 0 ? period : null;
    }

    /// <summary>
    /// The QoS class of a pod spec (<c>pkg/apis/core/helper/qos</c>): BestEffort without any cpu/memory request or
    /// limit, Guaranteed when every container limits cpu and memory and requests (defaulting to the limits) equal
    /// them, else Burstable.
    /// </summary>
    public static string QosClass(JsonObject? spec)
    {
        var any = false;
        var guaranteed = true;
        var containers = JsonPath.Objects(spec, "containers").Concat(JsonPath.Objects(spec, "initContainers")).ToList();
        foreach (var c in containers)
        {
            var requests = JsonPath.Obj(c, "resources", "requests");
            var limits = JsonPath.Obj(c, "resources", "limits");
            foreach (var res in (string[])["cpu", "memory"])
            {
                var limit = Quantity(limits?[res]);
                var request = Quantity(requests?[res]) ?? limit;
                if (limit is not null || request is not null)
                {
                    any = true;
                }

                if (limit is null || request != limit)
                {
                    guaranteed = false;
                }
            }
        }

        if (!any)
        {
            return "BestEffort";
        }

        return guaranteed && containers.Count > 0 ? "Guaranteed" : "Burstable";
    }

    private static decimal? Quantity(JsonNode? node) =>
        node is not null && QuantityValue.TryParse(node, out var v) && v != 0 ? v : null;

    private static string PodIp(JsonObject o) =>
        JsonPath.Objects(o, "status", "podIPs").Select(p => JsonPath.Str(p, "ip")).FirstOrDefault(ip => !string.IsNullOrEmpty(ip))
        ?? JsonPath.Str(o, "status", "podIP") ?? "";

    /// <summary>A deep copy without null-valued properties (null and missing mean the same to the API).</summary>
    internal static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o)
                {
                    if (v is not null)
                    {
                        copy[k] = Normalize(v);
                    }
                }

                return copy;
            case JsonArray a:
                var arr = new JsonArray();
                foreach (var v in a)
                {
                    arr.Add(Normalize(v));
                }

                return arr;
            default:
                return node?.DeepClone();
        }
    }
}
