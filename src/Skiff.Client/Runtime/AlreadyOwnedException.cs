using k8s;
using k8s.Models;

namespace Skiff.Client.Runtime;

/// <summary>An object already has a controller other than the one being set (controller-runtime's <c>AlreadyOwnedError</c>).</summary>
public sealed class AlreadyOwnedException : InvalidOperationException
{
    public AlreadyOwnedException(IKubernetesObject<V1ObjectMeta> obj, V1OwnerReference owner)
        : base($"Object {Key(obj)} is already owned by another {owner.Kind} controller {owner.Name}")
    {
        Owner = owner;
    }

    /// <summary>The existing controller reference.</summary>
    public V1OwnerReference Owner { get; }

    private static string Key(IKubernetesObject<V1ObjectMeta> obj)
        => string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) ? obj.Metadata.Name : $"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}";
}
