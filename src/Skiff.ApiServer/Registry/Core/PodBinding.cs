using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// What a <c>Binding</c> (POST <c>pods/{name}/binding</c> or <c>bindings</c>) does to its pod (upstream
/// <c>pkg/registry/core/pod/storage</c> <c>assignPod</c>): sets <c>spec.nodeName</c>, merges the binding's
/// annotations, and marks <c>PodScheduled</c> True. For the endpoint to run inside a guaranteed update of the pod.
/// </summary>
public static partial class PodBinding
{
    /// <summary>Validates the binding (target.kind Node or empty, target.name required).</summary>
    public static IReadOnlyList<FieldError> Validate(JsonObject binding)
    {
        var errors = new List<FieldError>();
        var kind = JsonPath.Str(binding, "target", "kind") ?? "";
        if (kind is not ("" or "Node"))
        {
            errors.Add(FieldError.NotSupported("target.kind", Rules.Q(kind), ["Node", "<empty>"]));
        }

        if (JsonPath.Str(binding, "target", "name") is null or "")
        {
            errors.Add(FieldError.Required("target.name"));
        }

        return errors;
    }

    /// <summary>
    /// Applies <paramref name="binding"/> to <paramref name="pod"/> (changed in place), stored at <paramref name="key"/>.
    /// </summary>
    /// <exception cref="StatusException">409 when a precondition fails or the pod is already assigned or being deleted.</exception>
    public static void Apply(JsonObject pod, string key, JsonObject binding, DateTimeOffset now)
    {
        var name = JsonPath.Name(pod);
        var node = JsonPath.Str(binding, "target", "name") ?? "";
        CheckPreconditions(binding, key, name, JsonPath.Str(pod, "metadata", "uid") ?? "", JsonPath.Str(pod, "metadata", "resourceVersion") ?? "");
        if (JsonPath.Str(pod, "metadata", "deletionTimestamp") is { Length: > 0 })
        {
            throw Conflict(name, $"pod {name} is being deleted, cannot be assigned to a host");
        }

        if (JsonPath.Str(pod, "spec", "nodeName") is { Length: > 0 } assigned)
        {
            throw Conflict(name, $"pod {name} is already assigned to node {Rules.Q(assigned)}");
        }

        JsonPath.Ensure(pod, "spec")["nodeName"] = node;
        if (JsonPath.Obj(binding, "metadata", "annotations") is { Count: > 0 } annotations)
        {
            var target = JsonPath.Ensure(pod, "metadata", "annotations");
            foreach (var (k, v) in annotations)
            {
                target[k] = v?.DeepClone();
            }
        }

        var status = JsonPath.Ensure(pod, "status");
        var conditions = JsonPath.Arr(status, "conditions");
        if (conditions is null)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonPath.Str(c, "type") == "PodScheduled");
        if (existing is null)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = "True",
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
        }
        else if (JsonPath.Str(existing, "status") != "True")
        {
            existing["status"] = "True";
            existing.Remove("reason");
            existing.Remove("message");
            existing["lastTransitionTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The binding's <c>metadata.uid</c> and <c>metadata.resourceVersion</c> as storage preconditions on the pod
    /// (upstream <c>setPodNodeAndMetadata</c>): checked before anything else; a mismatch is a 409 on <c>pods</c>.
    /// </summary>
    private static void CheckPreconditions(JsonObject binding, string key, string name, string uid, string resourceVersion) =>
        Store.Preconditions.Check("", "pods", key, name, JsonPath.Str(binding, "metadata", "uid"), JsonPath.Str(binding, "metadata", "resourceVersion"), uid, resourceVersion);

    private static StatusException Conflict(string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on pods/binding {Rules.Q(name)}: {why}", new StatusDetails(Name: name, Kind: "pods/binding"));
}
