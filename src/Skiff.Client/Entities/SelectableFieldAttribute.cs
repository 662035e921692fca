namespace Skiff.Client.Entities;

/// <summary>
/// A field clients may use in field selectors (<c>selectableFields</c>, kubebuilder's <c>+kubebuilder:selectablefield</c>),
/// e.g. <c>.spec.color</c>; it must point at a string, integer or boolean.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SelectableFieldAttribute(string jsonPath) : Attribute
{
    public string JsonPath { get; } = jsonPath;
}
