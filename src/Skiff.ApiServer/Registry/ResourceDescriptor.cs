namespace Skiff.ApiServer.Registry;

/// <summary>
/// Everything the endpoint installer, discovery and OpenAPI need to know about one resource: the route table is
/// built from these, so adding a resource (or a CRD at run time) touches no handler code.
/// </summary>
public sealed record ResourceDescriptor
{
    /// <summary>API group; empty for the core group.</summary>
    public required string Group { get; init; }

    /// <summary>API version (v1, …).</summary>
    public required string Version { get; init; }

    /// <summary>Plural lower-case resource name (deployments).</summary>
    public required string Resource { get; init; }

    /// <summary>Singular lower-case name (deployment).</summary>
    public required string SingularName { get; init; }

    /// <summary>Kind (Deployment).</summary>
    public required string Kind { get; init; }

    /// <summary>True for namespaced resources, false for cluster-scoped ones.</summary>
    public required bool Namespaced { get; init; }

    /// <summary>Verbs as discovery lists them (create, delete, deletecollection, get, list, patch, update, watch).</summary>
    public IReadOnlyList<string> Verbs { get; init; } = StandardVerbs;

    /// <summary>Short names (deploy).</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Categories (all).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources (status, scale, binding, eviction, …).</summary>
    public IReadOnlyList<SubresourceDescriptor> Subresources { get; init; } = [];

    /// <summary>The per-resource behaviour.</summary>
    public required IResourceStrategy Strategy { get; init; }

    /// <summary>
    /// Serves the resource itself in place of a store: the virtual, create-only resources (<c>bindings</c>, the
    /// reviews) that upstream backs with a REST storage of their own. Null for a stored resource, whose verbs the
    /// generic endpoint maps onto its <c>GenericStore</c>. See <see cref="Endpoints.Subresources.ISubresourceHandler"/>.
    /// </summary>
    internal Endpoints.Subresources.ISubresourceHandler? Handler { get; init; }

    /// <summary>
    /// Served from a CustomResourceDefinition (no Go type upstream): strategic merge patch is refused with 415 and the
    /// OpenAPI document lists only the media types upstream's CRD builder lists.
    /// </summary>
    public bool Custom { get; init; }

    /// <summary>Whether objects of this resource are stored (false for bindings, component statuses and reviews,
    /// which discovery then lists without a <c>storageVersionHash</c>).</summary>
    public bool Stored { get; init; } = true;

    /// <summary>
    /// The group/version objects are stored as when it differs from this descriptor's (events.k8s.io/v1 Events are
    /// stored as core v1 Events, as upstream's cohabiting resources); null when they are stored as served.
    /// </summary>
    public string? StorageGroupVersion { get; init; }

    /// <summary>
    /// Converts between the storage version (<see cref="StorageGroupVersion"/>) and this descriptor's version when
    /// the two shapes differ (autoscaling/v1 HorizontalPodAutoscalers stored as autoscaling/v2); null when objects are
    /// stored as served. Several descriptors may share one storage prefix, each with its own converter.
    /// </summary>
    public IVersionConverter? Converter { get; init; }

    /// <summary>
    /// Discovery's <c>storageVersionHash</c> (upstream <c>discovery.StorageVersionHash</c>): the first 8 bytes of the
    /// SHA-256 of <c>group/version/Kind</c> of the storage version, base64. Equal hashes mean the same stored objects.
    /// </summary>
    public string StorageVersionHash
    {
        get
        {
            var gv = StorageGroupVersion ?? (Group.Length == 0 ? Version : $"{Group}/{Version}");
            var gvk = (gv.Contains('/', StringComparison.Ordinal) ? gv : "/" + gv) + "/" + Kind;
            return Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(gvk)).AsSpan(0, 8));
        }
    }

    /// <summary>The list kind (DeploymentList).</summary>
    public string ListKind => Kind + "List";

    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The storage key prefix, ending in '/': <c>/registry/&lt;group&gt;/&lt;resource&gt;/</c> (core: <c>/registry/&lt;resource&gt;/</c>).</summary>
    public string StoragePrefix => Group.Length == 0 ? $"/registry/{Resource}/" : $"/registry/{Group}/{Resource}/";

    /// <summary>The eight verbs of a normal resource.</summary>
    public static IReadOnlyList<string> StandardVerbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>A subresource such as <c>status</c> or <c>scale</c>, with the handler that serves it.</summary>
/// <param name="Name">The subresource name (status, scale, binding, eviction, log, exec, …).</param>
/// <param name="Group">The group of the kind it takes and returns (autoscaling for scale).</param>
/// <param name="Version">The version of that kind.</param>
/// <param name="Kind">The kind (Scale, Binding, Eviction; the parent kind for status).</param>
/// <param name="Verbs">Its verbs (status: get, patch, update; binding: create).</param>
public sealed record SubresourceDescriptor(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs)
{
    /// <summary>
    /// Serves the subresource (see <see cref="Endpoints.Subresources.ISubresourceHandler"/> for the contract); every
    /// served subresource has one, and a subresource without one answers 404 as if it were not listed.
    /// </summary>
    internal Endpoints.Subresources.ISubresourceHandler? Handler { get; init; }
}
