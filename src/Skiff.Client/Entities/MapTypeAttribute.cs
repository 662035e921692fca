namespace Skiff.Client.Entities;

/// <summary>The map's or object's merge semantics (<c>x-kubernetes-map-type</c>, kubebuilder's <c>+mapType</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MapTypeAttribute(MapType type) : Attribute
{
    public MapType Type { get; } = type;
}
