namespace Skiff.Client.Cache;

/// <summary>A page of a list: the items, the list's resourceVersion and the continue token ("" or null on the last page).</summary>
public sealed record ObjectList<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue = null);
