using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Schema;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Every verb on one resource, with objects as <see cref="JsonObject"/> (client-go
/// <c>dynamic.ResourceInterface</c>). Immutable: <see cref="Namespace"/> returns a new client. Errors are
/// <see cref="KubernetesApiException"/>s. Also an <see cref="IListerWatcher{T}"/> of <see cref="DynamicObject"/>, so
/// it can feed an informer.
/// </summary>
public sealed class DynamicResourceClient : IListerWatcher<DynamicObject>
{
    private readonly RestClient _rest;

    internal DynamicResourceClient(RestClient rest, GroupVersionResource resource, string? ns)
    {
        _rest = rest;
        Resource = resource;
        NamespaceName = ns;
    }

    public GroupVersionResource Resource { get; }

    /// <summary>The namespace, or null for cluster-scoped resources and all namespaces.</summary>
    public string? NamespaceName { get; }

    /// <summary>The same resource in namespace <paramref name="ns"/> (null or empty: all namespaces).</summary>
    public DynamicResourceClient Namespace(string? ns) => new(_rest, Resource, string.IsNullOrEmpty(ns) ? null : ns);

    public async Task<JsonObject> GetAsync(string name, GetOptions? options = null, string? subresource = null, CancellationToken ct = default)
        => (await WithSub(Request(_rest.Get()).Name(name), subresource).VersionedParams(options).DoAsync(ct).ConfigureAwait(false)).Into<JsonObject>();

    /// <summary>The list object (<c>kind: XList</c>, <c>items</c>, <c>metadata.resourceVersion</c>/<c>continue</c>).</summary>
    public async Task<JsonObject> ListAsync(ListOptions? options = null, CancellationToken ct = default)
        => (await Request(_rest.Get()).VersionedParams(options).DoAsync(ct).ConfigureAwait(false)).Into<JsonObject>();

    public IAsyncEnumerable<WatchEvent<JsonObject>> WatchAsync(ListOptions? options = null, CancellationToken ct = default)
        => Request(_rest.Get()).VersionedParams(options).WatchAsync<JsonObject>(ct);

    public Task<JsonObject> CreateAsync(JsonObject obj, WriteOptions? options = null, string? subresource = null, CancellationToken ct = default)
    {
        // Creating a subresource (e.g. pods/eviction) posts to the named object.
        var req = Request(_rest.Post());
        if (subresource is not null)
        {
            req.Name(Name(obj)).SubResource(subresource);
        }

        return SendAsync(req.Body(obj).VersionedParams(options), ct);
    }

    public Task<JsonObject> UpdateAsync(JsonObject obj, WriteOptions? options = null, string? subresource = null, CancellationToken ct = default)
        => SendAsync(WithSub(Request(_rest.Put()).Name(Name(obj)), subresource).Body(obj).VersionedParams(options), ct);

    public Task<JsonObject> UpdateStatusAsync(JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
        => UpdateAsync(obj, options, "status", ct);

    /// <summary>Patches <paramref name="name"/> with a patch in <paramref name="type"/>'s format (string, bytes or a JSON node).</summary>
    public Task<JsonObject> PatchAsync(string name, PatchType type, object patch, WriteOptions? options = null, string? subresource = null, CancellationToken ct = default)
        => SendAsync(WithSub(Request(_rest.Patch(type)).Name(name), subresource).Body(patch).VersionedParams(options), ct);

    /// <summary>Server-side apply of <paramref name="obj"/> as <paramref name="fieldManager"/>.</summary>
    public Task<JsonObject> ApplyAsync(JsonObject obj, string fieldManager, bool force = false, CancellationToken ct = default)
        => PatchAsync(Name(obj), PatchType.Apply, obj, new WriteOptions { FieldManager = fieldManager, Force = force ? true : null }, null, ct);

    /// <summary>Deletes <paramref name="name"/>; returns the server's answer (the object while it is finalized, or a Status).</summary>
    public async Task<JsonObject> DeleteAsync(string name, DeleteOptions? options = null, CancellationToken ct = default)
        => (await Request(_rest.Delete()).Name(name).Body(options).DoAsync(ct).ConfigureAwait(false)).Into<JsonObject>();

    public async Task DeleteCollectionAsync(DeleteOptions? options = null, ListOptions? listOptions = null, CancellationToken ct = default)
        => await Request(_rest.Delete()).VersionedParams(listOptions).Body(options).DoAsync(ct).ConfigureAwait(false);

    async Task<ObjectList<DynamicObject>> IListerWatcher<DynamicObject>.ListAsync(ListOptions options, CancellationToken ct)
    {
        var list = await ListAsync(options, ct).ConfigureAwait(false);
        var items = (list["items"] as JsonArray ?? []).OfType<JsonObject>().Select(i => new DynamicObject(Detach(i, list))).ToList();
        return new ObjectList<DynamicObject>(items, (string?)list["metadata"]?["resourceVersion"] ?? "", (string?)list["metadata"]?["continue"]);
    }

    async IAsyncEnumerable<WatchEvent<DynamicObject>> IListerWatcher<DynamicObject>.WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in WatchAsync(options, ct).ConfigureAwait(false))
        {
            yield return new WatchEvent<DynamicObject>(e.Type, new DynamicObject(e.Object));
        }
    }

    // List items omit apiVersion/kind; client-go's UnstructuredList fills them from the list's kind.
    private static JsonObject Detach(JsonObject item, JsonObject list)
    {
        var copy = (JsonObject)item.DeepClone();
        if (copy["apiVersion"] is null && list["apiVersion"] is { } av)
        {
            copy["apiVersion"] = av.DeepClone();
        }

        if (copy["kind"] is null && (string?)list["kind"] is { } k && k.EndsWith("List", StringComparison.Ordinal))
        {
            copy["kind"] = k[..^4];
        }

        return copy;
    }

    private static string Name(JsonObject obj)
        => (string?)obj["metadata"]?["name"] ?? throw new ArgumentException("the object has no metadata.name", nameof(obj));

    private static RestRequest WithSub(RestRequest r, string? subresource) => subresource is null ? r : r.SubResource(subresource.Split('/'));

    private RestRequest Request(RestRequest r) => r.Group(Resource.Group).Version(Resource.Version).Namespace(NamespaceName).Resource(Resource.Resource);

    private static async Task<JsonObject> SendAsync(RestRequest request, CancellationToken ct)
        => (await request.DoAsync(ct).ConfigureAwait(false)).Into<JsonObject>();
}
