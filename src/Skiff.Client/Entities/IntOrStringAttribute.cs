namespace Skiff.Client.Entities;

/// <summary>
/// The property holds an integer or a string (<c>x-kubernetes-int-or-string: true</c>, kubebuilder's
/// <c>+kubebuilder:validation:XIntOrString</c>), for a property whose CLR type does not say so already
/// (<c>IntOrString</c> and <c>ResourceQuantity</c> get it without the attribute).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class IntOrStringAttribute : Attribute;
