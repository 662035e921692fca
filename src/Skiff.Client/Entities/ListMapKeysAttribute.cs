namespace Skiff.Client.Entities;

/// <summary>
/// The JSON names of the item properties that identify an item of a <see cref="ListType.Map"/> list
/// (<c>x-kubernetes-list-map-keys</c>, kubebuilder's <c>+listMapKey</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ListMapKeysAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}
