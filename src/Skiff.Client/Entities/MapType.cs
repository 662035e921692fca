namespace Skiff.Client.Entities;

/// <summary>How server-side apply merges a map or object (<c>x-kubernetes-map-type</c>).</summary>
public enum MapType
{
    /// <summary>Each key is owned separately (<c>granular</c>, the default).</summary>
    Granular,

    /// <summary>The map is replaced as a whole (<c>atomic</c>).</summary>
    Atomic,
}
