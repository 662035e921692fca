namespace Skiff.Client.Entities;

/// <summary>
/// The largest allowed number; with <see cref="Exclusive"/> the bound itself is not allowed (<c>exclusiveMaximum</c>) (OpenAPI <c>maximum</c>, kubebuilder's <c>+kubebuilder:validation:Maximum</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MaximumAttribute(double value) : Attribute
{
    /// <summary>The bound.</summary>
    public double Value { get; } = value;

    /// <summary>Whether the bound itself is excluded (<c>exclusiveMaximum: true</c>).</summary>
    public bool Exclusive { get; set; }
}
