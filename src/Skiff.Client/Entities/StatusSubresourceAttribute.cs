namespace Skiff.Client.Entities;

/// <summary>
/// Serves <c>/status</c> (kubebuilder's <c>+kubebuilder:subresource:status</c>): the main resource ignores changes to
/// <c>status</c>, the subresource changes nothing else. The class should have a <c>Status</c> property.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StatusSubresourceAttribute : Attribute;
