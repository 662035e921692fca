namespace Skiff.Client.Entities;

/// <summary>
/// The property accepts an explicit JSON <c>null</c> (OpenAPI <c>nullable: true</c>, kubebuilder's <c>+nullable</c>).
/// Without it a null sent by a client is pruned like an absent field; the client's serializer never writes nulls.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class NullableAttribute : Attribute;
