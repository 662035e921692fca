namespace Skiff.Client.Entities;

/// <summary>How server-side apply merges a list (<c>x-kubernetes-list-type</c>).</summary>
public enum ListType
{
    /// <summary>The list is replaced as a whole (<c>atomic</c>).</summary>
    Atomic,

    /// <summary>Scalar items, each owned separately, no duplicates (<c>set</c>).</summary>
    Set,

    /// <summary>Object items identified by <see cref="ListMapKeysAttribute"/> (<c>map</c>).</summary>
    Map,
}
