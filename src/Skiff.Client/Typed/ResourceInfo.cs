using System.Reflection;
using k8s.Models;

namespace Skiff.Client.Typed;

/// <summary>Where a kind lives in the API: group, version, plural resource name and scope.</summary>
public sealed record ResourceInfo(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    // Cluster-scoped built-in kinds (everything else the models cover is namespaced).
    private static readonly HashSet<string> ClusterScoped = new(StringComparer.Ordinal)
    {
        "Namespace", "Node", "PersistentVolume", "ComponentStatus", "ClusterRole", "ClusterRoleBinding", "StorageClass",
        "CSIDriver", "CSINode", "VolumeAttachment", "CustomResourceDefinition", "APIService", "PriorityClass",
        "RuntimeClass", "IngressClass", "CertificateSigningRequest", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        "FlowSchema", "PriorityLevelConfiguration", "TokenReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
        "SubjectAccessReview", "IPAddress", "ServiceCIDR", "DeviceClass",
    };

    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Reads <see cref="KubernetesEntityAttribute"/> of a KubernetesClient model type.</summary>
    /// <exception cref="ArgumentException">The type has no such attribute.</exception>
    public static ResourceInfo For<T>() => For(typeof(T));

    public static ResourceInfo For(Type type)
    {
        var a = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type.Name} has no [KubernetesEntity] attribute; use the ResourceInfo constructor", nameof(type));
        return new ResourceInfo(a.Group ?? "", a.ApiVersion, a.Kind, a.PluralName, !ClusterScoped.Contains(a.Kind));
    }
}
