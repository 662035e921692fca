namespace Skiff.Client.Entities;

/// <summary>
/// The number must be a multiple of this (greater than 0) (OpenAPI <c>multipleOf</c>, kubebuilder's <c>+kubebuilder:validation:MultipleOf</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MultipleOfAttribute(double value) : Attribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;
}
