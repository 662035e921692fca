using k8s;
using k8s.Models;

namespace Skiff.Client.Cache;

/// <summary>client-go's <c>MetaNamespaceKeyFunc</c>: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects.</summary>
public static class ObjectKeys
{
    public static string KeyOf(IKubernetesObject<V1ObjectMeta> obj)
        => KeyOf(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? throw new ArgumentException("object has no metadata.name"));

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>Splits a key into namespace (null for cluster-scoped) and name.</summary>
    public static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
