namespace Skiff.Client.Entities;

/// <summary>
/// Declares the scope of a custom resource class (beside its <c>[KubernetesEntity]</c>). Read by
/// <see cref="Typed.ResourceInfo.For(System.Type)"/> and by the CRD generator; without it a kind is namespaced unless
/// it is one of the built-in cluster-scoped kinds.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EntityScopeAttribute(EntityScope scope) : Attribute
{
    /// <summary>The declared scope.</summary>
    public EntityScope Scope { get; } = scope;
}
