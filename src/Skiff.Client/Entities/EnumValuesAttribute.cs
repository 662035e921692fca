namespace Skiff.Client.Entities;

/// <summary>
/// The only values allowed (OpenAPI <c>enum</c>, kubebuilder's <c>+kubebuilder:validation:Enum</c>), for a property whose
/// CLR type is not a C# enum. A C# enum type needs none: it becomes a string with its member names (or their
/// <c>[JsonStringEnumMemberName]</c>) as the enum, as the client's serializer writes enums as strings.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EnumValuesAttribute(params object[] values) : Attribute
{
    /// <summary>The allowed values (strings, numbers or booleans).</summary>
    public IReadOnlyList<object> Values { get; } = values;
}
