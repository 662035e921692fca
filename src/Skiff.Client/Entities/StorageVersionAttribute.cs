namespace Skiff.Client.Entities;

/// <summary>
/// Marks the class whose version is stored (<c>storage: true</c>, kubebuilder's <c>+kubebuilder:storageversion</c>) when
/// several classes map to one group and kind with different <c>ApiVersion</c>s. Exactly one of them must carry it; a
/// kind with one version needs none.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StorageVersionAttribute : Attribute;
