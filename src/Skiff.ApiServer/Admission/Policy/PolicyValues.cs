using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// The CEL inputs of a policy (upstream's <c>admission/plugin/cel</c> activation): JSON bound as CEL values (maps
/// keep their keys as written, so <c>object.metadata.labels['app.kubernetes.io/name']</c> works), the
/// <c>request</c> (an AdmissionRequest without the objects) and the <c>namespaceObject</c> (metadata, spec, status).
/// </summary>
public static class PolicyValues
{
    /// <summary>The CEL value of a JSON value: maps, arrays, int64, double, string, bool or null.</summary>
    public static object? ToCel(JsonNode? v)
    {
        switch (v)
        {
            case null:
                return null;
            case JsonObject o:
                var d = new Dictionary<string, object?>(o.Count, StringComparer.Ordinal);
                foreach (var (k, child) in o)
                {
                    d[k] = ToCel(child);
                }

                return d;
            case JsonArray a:
                var arr = new object?[a.Count];
                for (var i = 0; i < a.Count; i++)
                {
                    arr[i] = ToCel(a[i]);
                }

                return arr;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.Number => value.TryGetValue<long>(out var l) ? l : JsonSerializer.Deserialize<double>(value.ToJsonString()),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>The <c>request</c> variable: upstream's AdmissionRequest for <paramref name="a"/>, without object and oldObject.</summary>
    public static JsonObject Request(AdmissionAttributes a)
    {
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = a.Group, ["version"] = a.Version, ["kind"] = a.Kind },
            ["resource"] = new JsonObject { ["group"] = a.Group, ["version"] = a.Version, ["resource"] = a.Resource },
            ["requestKind"] = new JsonObject { ["group"] = a.Group, ["version"] = a.Version, ["kind"] = a.Kind },
            ["requestResource"] = new JsonObject { ["group"] = a.Group, ["version"] = a.Version, ["resource"] = a.Resource },
            ["name"] = a.Name,
            ["namespace"] = a.Namespace,
            ["operation"] = WebhookRule.OperationName(a.Operation),
            ["userInfo"] = UserInfo(a.User),
            ["dryRun"] = a.DryRun,
        };
        if (a.Subresource.Length > 0)
        {
            request["subResource"] = a.Subresource;
            request["requestSubResource"] = a.Subresource;
        }

        if (a.Options is { } options)
        {
            request["options"] = options.DeepClone();
        }

        return request;
    }

    /// <summary>The <c>namespaceObject</c> variable: the namespace's identifying metadata, spec and status (null when absent).</summary>
    public static JsonObject? NamespaceObject(JsonObject? ns)
    {
        if (ns is null)
        {
            return null;
        }

        var meta = new JsonObject();
        foreach (var key in new[] { "name", "generateName", "namespace", "labels", "annotations", "uid", "creationTimestamp" })
        {
            if (JsonPath.Get(ns, "metadata", key) is { } value)
            {
                meta[key] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["metadata"] = meta,
            ["spec"] = ns["spec"]?.DeepClone() ?? new JsonObject(),
            ["status"] = ns["status"]?.DeepClone() ?? new JsonObject(),
        };
    }

    private static JsonObject UserInfo(Security.UserInfo? user) => user?.ToJson() ?? [];
}
