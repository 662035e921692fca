namespace Skiff.Client.Entities;

/// <summary>
/// The list's merge semantics (<c>x-kubernetes-list-type</c>, kubebuilder's <c>+listType</c>); with
/// <see cref="ListType.Map"/> give the keys with <see cref="ListMapKeysAttribute"/> (each key property must be required or
/// have a default).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ListTypeAttribute(ListType type) : Attribute
{
    public ListType Type { get; } = type;
}
