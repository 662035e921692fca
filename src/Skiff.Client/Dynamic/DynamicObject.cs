using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Any Kubernetes object as JSON (client-go <c>unstructured.Unstructured</c>): <see cref="Object"/> is the whole object;
/// <see cref="Metadata"/> is decoded from it once, at construction, so informers, indexers and listers can key and
/// index it like a typed object. Treat a cached instance as read-only; change a copy (<see cref="DeepCopy"/>).
/// Serializes as <see cref="Object"/>.
/// </summary>
[JsonConverter(typeof(DynamicObjectConverter))]
public sealed class DynamicObject : IKubernetesObject<V1ObjectMeta>
{
    public DynamicObject(JsonObject obj)
    {
        Object = obj;
        Metadata = obj["metadata"] is JsonObject m ? JsonSerializer.Deserialize<V1ObjectMeta>(m, KubernetesSerialization.Options) ?? new V1ObjectMeta() : new V1ObjectMeta();
    }

    /// <summary>The object's JSON.</summary>
    public JsonObject Object { get; }

    public string ApiVersion
    {
        get => (string?)Object["apiVersion"] ?? "";
        set => Object["apiVersion"] = value;
    }

    public string Kind
    {
        get => (string?)Object["kind"] ?? "";
        set => Object["kind"] = value;
    }

    /// <summary>The metadata as it was when this instance was made (not updated by later changes to <see cref="Object"/>).</summary>
    public V1ObjectMeta Metadata { get; set; }

    /// <summary>A copy whose JSON is independent of this one.</summary>
    public DynamicObject DeepCopy() => new((JsonObject)Object.DeepClone());
}
