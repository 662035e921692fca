using System.Reflection;
using k8s.Models;
using Skiff.Client.Discovery;
using Skiff.Client.Entities;
using Skiff.Client.Schema;

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

    /// <summary>The resource (group, version, plural) objects of this kind are served as.</summary>
    public GroupVersionResource Resource => new(Group, Version, Plural);

    /// <summary>This kind's mapping (what a RESTMapper would answer for it).</summary>
    public RestMapping ToRestMapping() => new(Resource, new GroupVersionKind(Group, Version, Kind), Namespaced);

    /// <summary>
    /// Reads <see cref="KubernetesEntityAttribute"/> of a model type; the scope comes from <see cref="EntityScopeAttribute"/>
    /// when present, else from the built-in cluster-scoped kinds.
    /// </summary>
    /// <exception cref="ArgumentException">The type has no such attribute.</exception>
    public static ResourceInfo For<T>() => For(typeof(T));

    public static ResourceInfo For(Type type)
    {
        var a = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type.Name} has no [KubernetesEntity] attribute; use the ResourceInfo constructor", nameof(type));
        var scope = type.GetCustomAttribute<EntityScopeAttribute>();
        var namespaced = scope is null ? !ClusterScoped.Contains(a.Kind) : scope.Scope == EntityScope.Namespaced;
        return new ResourceInfo(a.Group ?? "", a.ApiVersion, a.Kind, a.PluralName, namespaced);
    }
}
