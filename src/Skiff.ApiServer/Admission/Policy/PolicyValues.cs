using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// The JSON inputs of a policy (upstream's <c>admission/plugin/cel</c> activation), bound to CEL by
/// <see cref="CustomResources.Cel.CelValues.ToCel(JsonNode?)"/>: the <c>request</c> (an AdmissionRequest without
/// the objects) and the <c>namespaceObject</c> (metadata, spec, status).
/// </summary>
public static class PolicyValues
{
    /// <summary>The <c>request</c> variable: upstream's AdmissionRequest for <paramref name="a"/>, without object and oldObject.</summary>
    public static JsonObject Request(AdmissionAttributes a) => AdmissionReviews.RequestBody(Guid.NewGuid().ToString(), a,
        (a.Group, a.Version, a.Kind), (a.Group, a.Version, a.Resource, a.Subresource), (a.Group, a.Version), invocation: null);

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

}
