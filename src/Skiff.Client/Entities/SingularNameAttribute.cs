namespace Skiff.Client.Entities;

/// <summary>
/// The singular resource name (<c>spec.names.singular</c>, kubebuilder's <c>+kubebuilder:resource:singular</c>);
/// default: the kind in lower case.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SingularNameAttribute(string name) : Attribute
{
    /// <summary>The singular name.</summary>
    public string Name { get; } = name;
}
