using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Client.Typed;

/// <summary>
/// The typed client of one resource in one namespace (or cluster-wide): every verb of client-go's generated clients,
/// written once over the KubernetesClient model types. Errors are <see cref="KubernetesApiException"/>s.
/// </summary>
/// <typeparam name="T">The object type, e.g. <see cref="V1Pod"/>.</typeparam>
/// <typeparam name="TList">Its list type, e.g. <see cref="V1PodList"/>.</typeparam>
public sealed class ResourceClient<T, TList> : IListerWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly RestClient _rest;

    public ResourceClient(RestClient rest, string? ns = null, ResourceInfo? info = null)
    {
        _rest = rest;
        Info = info ?? ResourceInfo.For<T>();
        Namespace = Info.Namespaced ? ns : null;
    }

    public ResourceInfo Info { get; }

    /// <summary>The namespace; null for cluster-scoped resources or all namespaces.</summary>
    public string? Namespace { get; }

    /// <summary>The same resource in namespace <paramref name="ns"/> (null or empty: all namespaces; ignored when cluster-scoped).</summary>
    public ResourceClient<T, TList> WithNamespace(string? ns) => new(_rest, string.IsNullOrEmpty(ns) ? null : ns, Info);

    public async Task<T> GetAsync(string name, GetOptions? options = null, CancellationToken ct = default)
        => (await Request(_rest.Get()).Name(name).VersionedParams(options).DoAsync(ct).ConfigureAwait(false)).Into<T>();

    public async Task<TList> ListAsync(ListOptions? options = null, CancellationToken ct = default)
        => (await Request(_rest.Get()).VersionedParams(options).DoAsync(ct).ConfigureAwait(false)).Into<TList>();

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions? options = null, CancellationToken ct = default)
        => Request(_rest.Get()).VersionedParams(options).WatchAsync<T>(ct);

    public Task<T> CreateAsync(T obj, WriteOptions? options = null, CancellationToken ct = default)
        => SendAsync(Request(_rest.Post()).Body(WithTypeMeta(obj)).VersionedParams(options), ct);

    public Task<T> UpdateAsync(T obj, WriteOptions? options = null, CancellationToken ct = default)
        => SendAsync(Request(_rest.Put()).Name(obj.Metadata.Name).Body(WithTypeMeta(obj)).VersionedParams(options), ct);

    public Task<T> UpdateStatusAsync(T obj, WriteOptions? options = null, CancellationToken ct = default)
        => SendAsync(Request(_rest.Put()).Name(obj.Metadata.Name).SubResource("status").Body(WithTypeMeta(obj)).VersionedParams(options), ct);

    /// <summary>Patches <paramref name="name"/> with a patch in <paramref name="type"/>'s format (string, bytes or an object to serialize).</summary>
    public Task<T> PatchAsync(string name, PatchType type, object patch, WriteOptions? options = null, string? subresource = null, CancellationToken ct = default)
    {
        var req = Request(_rest.Patch(type)).Name(name).Body(patch).VersionedParams(options);
        if (subresource is not null)
        {
            req.SubResource(subresource);
        }

        return SendAsync(req, ct);
    }

    /// <summary>Server-side apply of <paramref name="obj"/> (its name is the target) as <paramref name="fieldManager"/>.</summary>
    public Task<T> ApplyAsync(T obj, string fieldManager, bool force = false, bool dryRun = false, CancellationToken ct = default)
        => PatchAsync(obj.Metadata.Name, PatchType.Apply, WithTypeMeta(obj), new WriteOptions { FieldManager = fieldManager, Force = force ? true : null, DryRun = dryRun }, null, ct);

    /// <summary>Deletes <paramref name="name"/>; returns the server's answer (the object while it is being finalized, or a Status).</summary>
    public async Task DeleteAsync(string name, DeleteOptions? options = null, CancellationToken ct = default)
        => await Request(_rest.Delete()).Name(name).Body(options).DoAsync(ct).ConfigureAwait(false);

    public async Task DeleteCollectionAsync(DeleteOptions? options = null, ListOptions? listOptions = null, CancellationToken ct = default)
        => await Request(_rest.Delete()).VersionedParams(listOptions).Body(options).DoAsync(ct).ConfigureAwait(false);

    async Task<ObjectList<T>> IListerWatcher<T>.ListAsync(ListOptions options, CancellationToken ct)
    {
        var list = await ListAsync(options, ct).ConfigureAwait(false);
        return new ObjectList<T>([.. list.Items ?? []], list.Metadata?.ResourceVersion ?? "", list.Metadata?.ContinueProperty);
    }

    IAsyncEnumerable<WatchEvent<T>> IListerWatcher<T>.WatchAsync(ListOptions options, CancellationToken ct) => WatchAsync(options, ct);

    private RestRequest Request(RestRequest r) => r.Group(Info.Group).Version(Info.Version).Namespace(Namespace).Resource(Info.Plural).PreferProtobuf(Info.ApiVersion, Info.Kind);

    private T WithTypeMeta(T obj)
    {
        obj.ApiVersion ??= Info.ApiVersion;
        obj.Kind ??= Info.Kind;
        return obj;
    }

    private static async Task<T> SendAsync(RestRequest request, CancellationToken ct)
        => (await request.DoAsync(ct).ConfigureAwait(false)).Into<T>();
}
