namespace Skiff.Client.Entities;

/// <summary>The class's version is defined but not served (<c>served: false</c>, kubebuilder's <c>+kubebuilder:unservedversion</c>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UnservedVersionAttribute : Attribute;
