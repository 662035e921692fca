namespace Skiff.Client.Entities;

/// <summary>
/// The class's version is deprecated (<c>deprecated: true</c>, kubebuilder's <c>+kubebuilder:deprecatedversion</c>);
/// clients get <see cref="Warning"/> (or the API server's default warning) on every request to it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DeprecatedVersionAttribute : Attribute
{
    /// <summary>The <c>deprecationWarning</c> (null: the API server's default).</summary>
    public string? Warning { get; set; }
}
