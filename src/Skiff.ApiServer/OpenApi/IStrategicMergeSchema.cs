namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// What the strategic-merge-patch engine needs to know about one position in an object (upstream's
/// <c>strategicpatch.LookupPatchMeta</c>). Local stand-in for the interface the apimachinery helper defines in
/// <c>Skiff.Api.Patch</c>; adapt to it when it lands (same members).
/// </summary>
public interface IStrategicMergeSchema
{
    /// <summary>The schema of field <paramref name="name"/> of an object, or of any value of a map; null when unknown.</summary>
    IStrategicMergeSchema? Field(string name);

    /// <summary>The schema of a list's elements; null when this is not a list or unknown.</summary>
    IStrategicMergeSchema? Items { get; }

    /// <summary><c>x-kubernetes-patch-merge-key</c> of this list (<c>name</c> for containers).</summary>
    string? PatchMergeKey { get; }

    /// <summary><c>x-kubernetes-patch-strategy</c>: <c>merge</c>, <c>replace</c>, <c>retainKeys</c> or <c>merge,retainKeys</c>.</summary>
    string? PatchStrategy { get; }

    /// <summary><c>x-kubernetes-list-type</c>: <c>atomic</c>, <c>set</c> or <c>map</c>.</summary>
    string? ListType { get; }

    /// <summary><c>x-kubernetes-list-map-keys</c> (empty unless <see cref="ListType"/> is map).</summary>
    IReadOnlyList<string> ListMapKeys { get; }
}
