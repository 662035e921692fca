namespace Skiff.Client.Entities;

/// <summary>
/// The most properties an object or map may have (OpenAPI <c>maxProperties</c>, kubebuilder's <c>+kubebuilder:validation:MaxProperties</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MaxPropertiesAttribute(long value) : Attribute
{
    /// <summary>The bound.</summary>
    public long Value { get; } = value;
}
