namespace Skiff.Api.Patch;

/// <summary>
/// The schema facts the strategic merge patch and server-side apply engines need about one node of an object
/// (a field's schema). Implemented from OpenAPI (<c>x-kubernetes-patch-merge-key</c>,
/// <c>x-kubernetes-patch-strategy</c>, <c>x-kubernetes-list-type</c>, <c>x-kubernetes-list-map-keys</c>,
/// <c>x-kubernetes-map-type</c>) by the OpenAPI helper, and by tests. A null schema anywhere means "unknown":
/// maps merge, lists are replaced (atomic), exactly like upstream for fields without metadata.
/// Patch metadata sits on the field's node: for <c>spec.containers</c>, <c>Field("spec").Field("containers")</c>
/// has <see cref="PatchMergeKey"/> "name" and <see cref="PatchStrategies"/> ["merge"], and its <see cref="Items"/>
/// is the Container schema.
/// </summary>
public interface IPatchSchema
{
    /// <summary>The schema of the named property of this object node (including additionalProperties for maps); null if unknown.</summary>
    IPatchSchema? Field(string name);

    /// <summary>The schema of the elements when this node is a list; null if unknown.</summary>
    IPatchSchema? Items { get; }

    /// <summary><c>x-kubernetes-patch-merge-key</c> of this (list) field, or null.</summary>
    string? PatchMergeKey { get; }

    /// <summary><c>x-kubernetes-patch-strategy</c> split on ',' (<c>merge</c>, <c>replace</c>, <c>retainKeys</c>); empty for none.</summary>
    IReadOnlyList<string> PatchStrategies { get; }

    /// <summary><c>x-kubernetes-list-type</c>: <c>atomic</c>, <c>set</c>, <c>map</c>, or null when unspecified.</summary>
    string? ListType { get; }

    /// <summary><c>x-kubernetes-list-map-keys</c> for <c>map</c> lists; empty otherwise.</summary>
    IReadOnlyList<string> ListMapKeys { get; }

    /// <summary><c>x-kubernetes-map-type</c>: <c>atomic</c> or <c>granular</c>, or null when unspecified (granular).</summary>
    string? MapType { get; }

    /// <summary>
    /// True when this object node is a map with arbitrary keys (OpenAPI <c>additionalProperties</c>, e.g.
    /// <c>metadata.labels</c>) rather than a struct with named properties. Server-side apply records maps themselves
    /// as owned (<c>".": {}</c> in FieldsV1); structs are only containers.
    /// </summary>
    bool IsMap { get; }
}
