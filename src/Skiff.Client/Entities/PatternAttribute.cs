namespace Skiff.Client.Entities;

/// <summary>
/// A regular expression (ECMA-262, unanchored) strings must match (OpenAPI <c>pattern</c>, kubebuilder's
/// <c>+kubebuilder:validation:Pattern</c>); anchor it with <c>^…$</c> to match the whole string.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    /// <summary>The regular expression.</summary>
    public string Pattern { get; } = pattern;
}
