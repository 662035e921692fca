using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Runtime;

/// <summary>
/// Finalizers on an object (controller-runtime <c>controllerutil.AddFinalizer</c>/<c>RemoveFinalizer</c>/
/// <c>ContainsFinalizer</c>), in memory or written to the server. A write sends only the finalizers — as a merge patch
/// carrying the object's resourceVersion, or an update — so a stale object gets 409 Conflict instead of overwriting
/// another writer's finalizers; the reconcile then retries on the fresh object. For a <see cref="DynamicObject"/> both
/// its metadata and its JSON are updated.
/// </summary>
public static class Finalizers
{
    /// <summary>Whether <paramref name="obj"/> has <paramref name="finalizer"/>.</summary>
    public static bool Contains(IKubernetesObject<V1ObjectMeta> obj, string finalizer)
        => obj.Metadata.Finalizers?.Contains(finalizer) == true;

    /// <summary>Adds <paramref name="finalizer"/> in memory (at the end); returns whether it was missing.</summary>
    public static bool Add(IKubernetesObject<V1ObjectMeta> obj, string finalizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(finalizer);
        if (Contains(obj, finalizer))
        {
            return false;
        }

        SetList(obj, [.. obj.Metadata.Finalizers ?? [], finalizer]);
        return true;
    }

    /// <summary>Removes every occurrence of <paramref name="finalizer"/> in memory; returns whether there was one.</summary>
    public static bool Remove(IKubernetesObject<V1ObjectMeta> obj, string finalizer)
    {
        if (!Contains(obj, finalizer))
        {
            return false;
        }

        SetList(obj, [.. obj.Metadata.Finalizers!.Where(f => f != finalizer)]);
        return true;
    }

    /// <summary>Adds <paramref name="finalizer"/> and writes it when it was missing; returns the server's object (or <paramref name="obj"/> when unchanged).</summary>
    /// <param name="client">A client of the object's resource (any namespace: the object's own is used).</param>
    public static Task<T> AddAsync<T, TList>(ResourceClient<T, TList> client, T obj, string finalizer, WriteMode mode = WriteMode.Patch, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => Add(obj, finalizer) ? WriteAsync(client, obj, mode, ct) : Task.FromResult(obj);

    /// <summary>Removes <paramref name="finalizer"/> and writes that when it was present; returns the server's object (or <paramref name="obj"/> when unchanged).</summary>
    public static Task<T> RemoveAsync<T, TList>(ResourceClient<T, TList> client, T obj, string finalizer, WriteMode mode = WriteMode.Patch, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => Remove(obj, finalizer) ? WriteAsync(client, obj, mode, ct) : Task.FromResult(obj);

    /// <summary>As <see cref="AddAsync{T, TList}"/>, for a dynamic object.</summary>
    public static Task<DynamicObject> AddAsync(DynamicResourceClient client, DynamicObject obj, string finalizer, WriteMode mode = WriteMode.Patch, CancellationToken ct = default)
        => Add(obj, finalizer) ? WriteAsync(client, obj, mode, ct) : Task.FromResult(obj);

    /// <summary>As <see cref="RemoveAsync{T, TList}"/>, for a dynamic object.</summary>
    public static Task<DynamicObject> RemoveAsync(DynamicResourceClient client, DynamicObject obj, string finalizer, WriteMode mode = WriteMode.Patch, CancellationToken ct = default)
        => Remove(obj, finalizer) ? WriteAsync(client, obj, mode, ct) : Task.FromResult(obj);

    private static void SetList(IKubernetesObject<V1ObjectMeta> obj, List<string> finalizers)
    {
        obj.Metadata.Finalizers = finalizers.Count == 0 ? null : finalizers;
        if (obj is DynamicObject d)
        {
            MetadataJson.Set(d, "finalizers", finalizers.Count == 0 ? null : new JsonArray([.. finalizers.Select(f => JsonValue.Create(f))]));
        }
    }

    private static JsonObject Patch(V1ObjectMeta meta)
    {
        var finalizers = meta.Finalizers is { Count: > 0 } list ? new JsonArray([.. list.Select(f => JsonValue.Create(f))]) : null;
        return new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = meta.ResourceVersion, ["finalizers"] = finalizers } };
    }

    private static Task<T> WriteAsync<T, TList>(ResourceClient<T, TList> client, T obj, WriteMode mode, CancellationToken ct)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var c = client.WithNamespace(obj.Metadata.NamespaceProperty);
        return mode == WriteMode.Update
            ? c.UpdateAsync(obj, ct: ct)
            : c.PatchAsync(obj.Metadata.Name, PatchType.Merge, Patch(obj.Metadata).ToJsonString(), ct: ct);
    }

    private static async Task<DynamicObject> WriteAsync(DynamicResourceClient client, DynamicObject obj, WriteMode mode, CancellationToken ct)
    {
        var c = client.Namespace(obj.Metadata.NamespaceProperty);
        var written = mode == WriteMode.Update
            ? await c.UpdateAsync(obj.Object, ct: ct).ConfigureAwait(false)
            : await c.PatchAsync(obj.Metadata.Name, PatchType.Merge, Patch(obj.Metadata), ct: ct).ConfigureAwait(false);
        return new DynamicObject(written);
    }
}
