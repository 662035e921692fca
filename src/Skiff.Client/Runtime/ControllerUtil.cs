using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Runtime;

/// <summary>
/// controller-runtime's <c>controllerutil.CreateOrUpdate</c> and <c>CreateOrPatch</c>: make an object look the way a
/// mutate function says, creating it when absent and writing only when the mutation changed something. The mutate
/// function gets the live object (read from the server by <paramref name="obj"/>'s namespace and name), or
/// <paramref name="obj"/> itself when there is none, and must not change the name or namespace. Both return what they
/// did and the object as the server now has it. For owner references and finalizers see <see cref="OwnerReferences"/>
/// and <see cref="Finalizers"/>.
/// </summary>
public static class ControllerUtil
{
    /// <summary>Gets the object; creates it after <paramref name="mutate"/> when absent, else updates it (PUT) when <paramref name="mutate"/> changed it.</summary>
    /// <param name="client">A client of the object's resource (any namespace: the object's own is used).</param>
    /// <exception cref="InvalidOperationException"><paramref name="mutate"/> changed the name or namespace.</exception>
    public static async Task<(OperationResult Result, T Object)> CreateOrUpdateAsync<T, TList>(ResourceClient<T, TList> client, T obj, Action<T> mutate, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var c = client.WithNamespace(obj.Metadata.NamespaceProperty);
        var live = await GetOrNullAsync(() => c.GetAsync(obj.Metadata.Name, ct: ct)).ConfigureAwait(false);
        if (live is null)
        {
            MutateKeepingKey(obj, mutate);
            return (OperationResult.Created, await c.CreateAsync(obj, ct: ct).ConfigureAwait(false));
        }

        var before = ToJson(live);
        MutateKeepingKey(live, mutate);
        return JsonNode.DeepEquals(before, ToJson(live))
            ? (OperationResult.None, live)
            : (OperationResult.Updated, await c.UpdateAsync(live, ct: ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Gets the object; creates it after <paramref name="mutate"/> when absent, else sends what <paramref name="mutate"/>
    /// changed as merge patches: one of the object without its status, then one of the status subresource.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="mutate"/> changed the name or namespace.</exception>
    public static async Task<(OperationResult Result, T Object)> CreateOrPatchAsync<T, TList>(ResourceClient<T, TList> client, T obj, Action<T> mutate, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var c = client.WithNamespace(obj.Metadata.NamespaceProperty);
        var live = await GetOrNullAsync(() => c.GetAsync(obj.Metadata.Name, ct: ct)).ConfigureAwait(false);
        if (live is null)
        {
            MutateKeepingKey(obj, mutate);
            return (OperationResult.Created, await c.CreateAsync(obj, ct: ct).ConfigureAwait(false));
        }

        var before = ToJson(live);
        MutateKeepingKey(live, mutate);
        var (main, status) = Patches(before, ToJson(live));
        var result = live;
        if (main is not null)
        {
            result = await c.PatchAsync(live.Metadata.Name, PatchType.Merge, main.ToJsonString(), ct: ct).ConfigureAwait(false);
        }

        if (status is not null)
        {
            result = await c.PatchAsync(live.Metadata.Name, PatchType.Merge, status.ToJsonString(), subresource: "status", ct: ct).ConfigureAwait(false);
        }

        return (Outcome(main, status), result);
    }

    /// <summary>As <see cref="CreateOrUpdateAsync{T, TList}"/>, for a dynamic object (the mutation edits <see cref="DynamicObject.Object"/>).</summary>
    public static async Task<(OperationResult Result, DynamicObject Object)> CreateOrUpdateAsync(DynamicResourceClient client, DynamicObject obj, Action<DynamicObject> mutate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var c = client.Namespace(obj.Metadata.NamespaceProperty);
        var found = await GetOrNullAsync(() => c.GetAsync(obj.Metadata.Name, ct: ct)).ConfigureAwait(false);
        if (found is null)
        {
            MutateKeepingKey(obj, mutate);
            return (OperationResult.Created, new DynamicObject(await c.CreateAsync(obj.Object, ct: ct).ConfigureAwait(false)));
        }

        var live = new DynamicObject((JsonObject)found.DeepClone());
        MutateKeepingKey(live, mutate);
        return JsonNode.DeepEquals(found, live.Object)
            ? (OperationResult.None, live)
            : (OperationResult.Updated, new DynamicObject(await c.UpdateAsync(live.Object, ct: ct).ConfigureAwait(false)));
    }

    /// <summary>As <see cref="CreateOrPatchAsync{T, TList}"/>, for a dynamic object (the mutation edits <see cref="DynamicObject.Object"/>).</summary>
    public static async Task<(OperationResult Result, DynamicObject Object)> CreateOrPatchAsync(DynamicResourceClient client, DynamicObject obj, Action<DynamicObject> mutate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var c = client.Namespace(obj.Metadata.NamespaceProperty);
        var found = await GetOrNullAsync(() => c.GetAsync(obj.Metadata.Name, ct: ct)).ConfigureAwait(false);
        if (found is null)
        {
            MutateKeepingKey(obj, mutate);
            return (OperationResult.Created, new DynamicObject(await c.CreateAsync(obj.Object, ct: ct).ConfigureAwait(false)));
        }

        var live = new DynamicObject((JsonObject)found.DeepClone());
        MutateKeepingKey(live, mutate);
        var (main, status) = Patches(found, live.Object);
        var result = live.Object;
        if (main is not null)
        {
            result = await c.PatchAsync(live.Metadata.Name, PatchType.Merge, main, ct: ct).ConfigureAwait(false);
        }

        if (status is not null)
        {
            result = await c.PatchAsync(live.Metadata.Name, PatchType.Merge, status, subresource: "status", ct: ct).ConfigureAwait(false);
        }

        return (Outcome(main, status), new DynamicObject(result));
    }

    private static OperationResult Outcome(JsonObject? main, JsonObject? status) => (main, status) switch
    {
        (null, null) => OperationResult.None,
        (_, null) => OperationResult.Updated,
        (null, _) => OperationResult.UpdatedStatusOnly,
        _ => OperationResult.UpdatedStatus,
    };

    // The object's patch (without status) and the status patch, each null when empty.
    private static (JsonObject? Main, JsonObject? Status) Patches(JsonObject before, JsonObject after)
    {
        var patch = MergePatch.Create(before, after);
        JsonObject? status = null;
        if (patch.ContainsKey("status"))
        {
            status = new JsonObject { ["status"] = patch["status"]?.DeepClone() };
            patch.Remove("status");
        }

        return (patch.Count > 0 ? patch : null, status);
    }

    private static void MutateKeepingKey<T>(T obj, Action<T> mutate)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var (ns, name) = (obj.Metadata.NamespaceProperty, obj.Metadata.Name);
        mutate(obj);
        var meta = obj is DynamicObject d ? new DynamicObject(d.Object).Metadata : obj.Metadata;
        if (meta.NamespaceProperty != ns || meta.Name != name)
        {
            throw new InvalidOperationException("MutateFn cannot mutate object name and/or object namespace");
        }
    }

    private static JsonObject ToJson<T>(T obj) => JsonSerializer.SerializeToNode(obj, KubernetesSerialization.Options) as JsonObject ?? [];

    private static async Task<TResult?> GetOrNullAsync<TResult>(Func<Task<TResult>> get)
        where TResult : class
    {
        try
        {
            return await get().ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }
}
