namespace Skiff.Client.Entities;

/// <summary>
/// Categories a custom resource belongs to (<c>spec.names.categories</c>, kubebuilder's
/// <c>+kubebuilder:resource:categories</c>): with <c>"all"</c>, <c>kubectl get all</c> lists it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CategoriesAttribute(params string[] categories) : Attribute
{
    /// <summary>The categories, in order.</summary>
    public IReadOnlyList<string> Categories { get; } = categories;
}
