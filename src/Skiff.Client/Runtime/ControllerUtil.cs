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
    public static Task<(OperationResult Result, T Object)> CreateOrUpdateAsync<T, TList>(ResourceClient<T, TList> client, T obj, Action<T> mutate, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => MutateAsync(Typed(client, obj), obj, mutate, patch: false, ct);

    /// <summary>
    /// Gets the object; creates it after <paramref name="mutate"/> when absent, else sends what <paramref name="mutate"/>
    /// changed as merge patches: one of the object without its status, then one of the status subresource.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="mutate"/> changed the name or namespace.</exception>
    public static Task<(OperationResult Result, T Object)> CreateOrPatchAsync<T, TList>(ResourceClient<T, TList> client, T obj, Action<T> mutate, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => MutateAsync(Typed(client, obj), obj, mutate, patch: true, ct);

    /// <summary>As <see cref="CreateOrUpdateAsync{T, TList}"/>, for a dynamic object (the mutation edits <see cref="DynamicObject.Object"/>).</summary>
    public static Task<(OperationResult Result, DynamicObject Object)> CreateOrUpdateAsync(DynamicResourceClient client, DynamicObject obj, Action<DynamicObject> mutate, CancellationToken ct = default)
        => MutateAsync(Dynamic(client, obj), obj, mutate, patch: false, ct);

    /// <summary>As <see cref="CreateOrPatchAsync{T, TList}"/>, for a dynamic object (the mutation edits <see cref="DynamicObject.Object"/>).</summary>
    public static Task<(OperationResult Result, DynamicObject Object)> CreateOrPatchAsync(DynamicResourceClient client, DynamicObject obj, Action<DynamicObject> mutate, CancellationToken ct = default)
        => MutateAsync(Dynamic(client, obj), obj, mutate, patch: true, ct);

    // The four calls a create-or-write needs, on one object's resource and namespace, and its JSON form (a copy).
    private sealed record Calls<TObj>(
        Func<CancellationToken, Task<TObj?>> Get,
        Func<TObj, CancellationToken, Task<TObj>> Create,
        Func<TObj, CancellationToken, Task<TObj>> Update,
        Func<JsonObject, string?, CancellationToken, Task<TObj>> Patch,
        Func<TObj, JsonObject> ToJson);

    private static Calls<T> Typed<T, TList>(ResourceClient<T, TList> client, T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var c = client.WithNamespace(obj.Metadata.NamespaceProperty);
        var name = obj.Metadata.Name;
        return new Calls<T>(
            ct => GetOrNullAsync(() => c.GetAsync(name, ct: ct)),
            (o, ct) => c.CreateAsync(o, ct: ct),
            (o, ct) => c.UpdateAsync(o, ct: ct),
            (p, sub, ct) => c.PatchAsync(name, PatchType.Merge, p.ToJsonString(), subresource: sub, ct: ct),
            o => JsonSerializer.SerializeToNode(o, KubernetesSerialization.Options) as JsonObject ?? []);
    }

    private static Calls<DynamicObject> Dynamic(DynamicResourceClient client, DynamicObject obj)
    {
        var c = client.Namespace(obj.Metadata.NamespaceProperty);
        var name = obj.Metadata.Name;
        return new Calls<DynamicObject>(
            async ct => await GetOrNullAsync(() => c.GetAsync(name, ct: ct)).ConfigureAwait(false) is { } found ? new DynamicObject(found) : null,
            async (o, ct) => new DynamicObject(await c.CreateAsync(o.Object, ct: ct).ConfigureAwait(false)),
            async (o, ct) => new DynamicObject(await c.UpdateAsync(o.Object, ct: ct).ConfigureAwait(false)),
            async (p, sub, ct) => new DynamicObject(await c.PatchAsync(name, PatchType.Merge, p, subresource: sub, ct: ct).ConfigureAwait(false)),
            o => (JsonObject)o.Object.DeepClone());
    }

    private static async Task<(OperationResult Result, TObj Object)> MutateAsync<TObj>(Calls<TObj> calls, TObj obj, Action<TObj> mutate, bool patch, CancellationToken ct)
        where TObj : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(mutate);
        var live = await calls.Get(ct).ConfigureAwait(false);
        if (live is null)
        {
            MutateKeepingKey(obj, mutate);
            return (OperationResult.Created, await calls.Create(obj, ct).ConfigureAwait(false));
        }

        var before = calls.ToJson(live);
        MutateKeepingKey(live, mutate);
        var after = calls.ToJson(live);
        if (!patch)
        {
            return JsonNode.DeepEquals(before, after)
                ? (OperationResult.None, live)
                : (OperationResult.Updated, await calls.Update(live, ct).ConfigureAwait(false));
        }

        var (main, status) = Patches(before, after);
        var result = live;
        if (main is not null)
        {
            result = await calls.Patch(main, null, ct).ConfigureAwait(false);
        }

        if (status is not null)
        {
            result = await calls.Patch(status, "status", ct).ConfigureAwait(false);
        }

        return (Outcome(main, status), result);
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
