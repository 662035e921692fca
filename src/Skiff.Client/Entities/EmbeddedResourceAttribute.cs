namespace Skiff.Client.Entities;

/// <summary>
/// The property holds a whole Kubernetes object with apiVersion, kind and metadata
/// (<c>x-kubernetes-embedded-resource: true</c>, kubebuilder's <c>+kubebuilder:validation:EmbeddedResource</c>); the API
/// server validates and prunes its metadata like a top-level object's.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EmbeddedResourceAttribute : Attribute;
