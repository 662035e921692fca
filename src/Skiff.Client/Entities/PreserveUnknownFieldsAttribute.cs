namespace Skiff.Client.Entities;

/// <summary>
/// The API server keeps fields the schema does not declare here (<c>x-kubernetes-preserve-unknown-fields: true</c>,
/// kubebuilder's <c>+kubebuilder:pruning:PreserveUnknownFields</c>). Properties typed <c>JsonElement</c>,
/// <c>JsonNode</c> or <c>object</c> get it without the attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;
