using Skiff.Api.Errors;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

/// <summary>The <c>autoscaling/v1 Scale</c> view of an object with <c>spec.replicas</c> (deployments, replicasets, statefulsets, …).</summary>
internal static class Scale
{
    public static JsonObject FromObject(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        var scaleMeta = new JsonObject();
        foreach (var f in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (meta[f] is { } v)
            {
                scaleMeta[f] = v.DeepClone();
            }
        }

        var status = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0 };
        var selector = obj["status"]?["selector"]?.GetValue<string>() ?? SelectorString(obj["spec"]?["selector"] as JsonObject);
        if (selector.Length > 0)
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = status,
        };
    }

    /// <summary>Copies a Scale's <c>spec.replicas</c> (and resourceVersion precondition) into <paramref name="obj"/>;
    /// 422 for a Scale whose metadata or replicas are invalid.</summary>
    public static JsonObject ApplyToObject(JsonObject obj, JsonObject scale)
    {
        // Upstream's ValidateScale validates the Scale's metadata too (labels, annotations … of the body).
        if (scale["metadata"] is JsonObject scaleMeta
            && Skiff.Api.Validation.ObjectMetaValidation.ValidateObjectMeta(scaleMeta, true, Skiff.Api.Validation.NameValidation.NameIsDnsSubdomain) is { Count: > 0 } metaErrors)
        {
            throw StatusErrors.Invalid("autoscaling", "Scale", Meta.Name(obj), metaErrors);
        }

        if (scale["spec"] is not JsonObject spec || spec["replicas"] is not JsonValue replicas)
        {
            throw StatusErrors.Invalid("autoscaling", "Scale", Meta.Name(obj), [Skiff.Api.Validation.FieldError.Required("spec.replicas")]);
        }

        if (replicas.TryGetValue<long>(out var n) && n < 0)
        {
            throw StatusErrors.Invalid("autoscaling", "Scale", Meta.Name(obj), [Skiff.Api.Validation.FieldError.Invalid("spec.replicas", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than or equal to 0")]);
        }

        if (obj["spec"] is not JsonObject objSpec)
        {
            objSpec = new JsonObject();
            obj["spec"] = objSpec;
        }

        objSpec["replicas"] = replicas.DeepClone();
        var rv = scale["metadata"]?["resourceVersion"]?.GetValue<string>();
        Meta.Of(obj)["resourceVersion"] = rv ?? "";
        if (string.IsNullOrEmpty(rv))
        {
            Meta.Of(obj).Remove("resourceVersion");
        }

        return obj;
    }

    private static string SelectorString(JsonObject? selector)
    {
        if (selector is null)
        {
            return "";
        }

        var parts = new List<string>();
        if (selector["matchLabels"] is JsonObject ml)
        {
            parts.AddRange(ml.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value?.GetValue<string>()}"));
        }

        if (selector["matchExpressions"] is JsonArray me)
        {
            foreach (var e in me.OfType<JsonObject>())
            {
                var key = e["key"]?.GetValue<string>() ?? "";
                var values = (e["values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToList() ?? [];
                parts.Add(e["operator"]?.GetValue<string>() switch
                {
                    "In" => $"{key} in ({string.Join(",", values)})",
                    "NotIn" => $"{key} notin ({string.Join(",", values)})",
                    "Exists" => key,
                    "DoesNotExist" => "!" + key,
                    _ => key,
                });
            }
        }

        return string.Join(",", parts);
    }
}
