namespace Skiff.Client.Entities;

/// <summary>
/// The property must be present (listed in its object's <c>required</c>, kubebuilder's
/// <c>+kubebuilder:validation:Required</c>). A C# <c>required</c> member and <c>[JsonRequired]</c> count the same.
/// Everything else is optional: unlike kubebuilder, where a Go field without <c>omitempty</c> is required, neither a
/// non-nullable reference type nor a value type makes a property required, since C# types cannot say whether a
/// default was meant.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class RequiredAttribute : Attribute;
