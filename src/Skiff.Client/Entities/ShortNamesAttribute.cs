namespace Skiff.Client.Entities;

/// <summary>
/// Short names of a custom resource (<c>spec.names.shortNames</c>, kubebuilder's <c>+kubebuilder:resource:shortName</c>):
/// <c>kubectl get tj</c>. Lowercase DNS labels.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ShortNamesAttribute(params string[] names) : Attribute
{
    /// <summary>The short names, in order.</summary>
    public IReadOnlyList<string> Names { get; } = names;
}
