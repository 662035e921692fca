namespace Skiff.Client.Entities;

/// <summary>
/// The most items an array may have (OpenAPI <c>maxItems</c>, kubebuilder's <c>+kubebuilder:validation:MaxItems</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MaxItemsAttribute(long value) : Attribute
{
    /// <summary>The bound.</summary>
    public long Value { get; } = value;
}
