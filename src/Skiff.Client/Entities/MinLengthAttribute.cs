namespace Skiff.Client.Entities;

/// <summary>
/// The shortest allowed string, in characters (OpenAPI <c>minLength</c>, kubebuilder's <c>+kubebuilder:validation:MinLength</c>). On a property it applies to that property's
/// schema; on a class or struct, to that type's schema wherever it is used.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MinLengthAttribute(long value) : Attribute
{
    /// <summary>The bound.</summary>
    public long Value { get; } = value;
}
