namespace Skiff.Client.Entities;

/// <summary>
/// The fewest properties an object or map may have (OpenAPI <c>minProperties</c>, kubebuilder's <c>+kubebuilder:validation:MinProperties</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MinPropertiesAttribute(long value) : Attribute
{
    /// <summary>The bound.</summary>
    public long Value { get; } = value;
}
