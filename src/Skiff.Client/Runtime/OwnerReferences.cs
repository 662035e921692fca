using System.Text.Json;
using k8s;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Runtime;

/// <summary>
/// Owner references (controller-runtime <c>controllerutil.SetControllerReference</c> / <c>SetOwnerReference</c>), so
/// the garbage collector deletes an owned object with its owner and <see cref="ControllerBuilder.Owns{TChild}"/> maps
/// it back. The owner's apiVersion and kind come from the object, or from its type's attributes when unset. For a
/// <see cref="DynamicObject"/> both its metadata and its JSON are updated.
/// </summary>
public static class OwnerReferences
{
    /// <summary>
    /// Makes <paramref name="owner"/> the controller of <paramref name="obj"/> (<c>controller</c> and
    /// <c>blockOwnerDeletion</c> true), replacing an existing reference to the same owner.
    /// </summary>
    /// <exception cref="AlreadyOwnedException"><paramref name="obj"/> already has another controller.</exception>
    /// <exception cref="ArgumentException">The owner is namespaced and <paramref name="obj"/> is cluster-scoped or in another namespace.</exception>
    public static void SetControllerReference(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> obj)
    {
        var reference = ReferenceTo(owner, controller: true);
        Validate(owner, obj);
        var refs = obj.Metadata.OwnerReferences ?? [];
        if (refs.FirstOrDefault(r => r.Controller == true && !SameOwner(r, reference)) is { } other)
        {
            throw new AlreadyOwnedException(obj, other);
        }

        Upsert(obj, reference);
    }

    /// <summary>Adds (or replaces) a non-controller reference from <paramref name="obj"/> to <paramref name="owner"/>.</summary>
    /// <exception cref="ArgumentException">The owner is namespaced and <paramref name="obj"/> is cluster-scoped or in another namespace.</exception>
    public static void SetOwnerReference(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> obj)
    {
        Validate(owner, obj);
        Upsert(obj, ReferenceTo(owner, controller: false));
    }

    /// <summary>The controlling owner reference of <paramref name="obj"/>, or null (<c>metav1.GetControllerOf</c>).</summary>
    public static V1OwnerReference? GetControllerOf(IKubernetesObject<V1ObjectMeta> obj)
        => obj.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>Whether <paramref name="owner"/> is named by any owner reference of <paramref name="obj"/> (matched by uid).</summary>
    public static bool HasOwnerReference(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> obj)
        => obj.Metadata.OwnerReferences?.Any(r => r.Uid == owner.Metadata.Uid) == true;

    private static V1OwnerReference ReferenceTo(IKubernetesObject<V1ObjectMeta> owner, bool controller)
    {
        var apiVersion = owner.ApiVersion;
        var kind = owner.Kind;
        if ((string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)) && owner is not DynamicObject)
        {
            var info = ResourceInfo.For(owner.GetType());
            apiVersion = info.ApiVersion;
            kind = info.Kind;
        }

        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(owner.Metadata.Name) || string.IsNullOrEmpty(owner.Metadata.Uid))
        {
            throw new ArgumentException("the owner needs apiVersion, kind, metadata.name and metadata.uid (read it from the server first)", nameof(owner));
        }

        return new V1OwnerReference
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = controller ? true : null,
            BlockOwnerDeletion = controller ? true : null,
        };
    }

    // Upstream's validateOwner: a namespaced owner may only own objects in its own namespace.
    private static void Validate(IKubernetesObject<V1ObjectMeta> owner, IKubernetesObject<V1ObjectMeta> obj)
    {
        var ownerNs = owner.Metadata.NamespaceProperty;
        if (string.IsNullOrEmpty(ownerNs))
        {
            return;
        }

        var objNs = obj.Metadata.NamespaceProperty;
        if (string.IsNullOrEmpty(objNs))
        {
            throw new ArgumentException($"cluster-scoped resource must not have a namespace-scoped owner, owner's namespace {ownerNs}", nameof(owner));
        }

        if (objNs != ownerNs)
        {
            throw new ArgumentException($"cross-namespace owner references are disallowed, owner's namespace {ownerNs}, obj's namespace {objNs}", nameof(owner));
        }
    }

    private static bool SameOwner(V1OwnerReference a, V1OwnerReference b)
        => a.Name == b.Name && a.Kind == b.Kind && GroupOf(a.ApiVersion) == GroupOf(b.ApiVersion);

    private static void Upsert(IKubernetesObject<V1ObjectMeta> obj, V1OwnerReference reference)
    {
        var refs = new List<V1OwnerReference>(obj.Metadata.OwnerReferences ?? []);
        var i = refs.FindIndex(r => SameOwner(r, reference));
        if (i >= 0)
        {
            refs[i] = reference;
        }
        else
        {
            refs.Add(reference);
        }

        obj.Metadata.OwnerReferences = refs;
        if (obj is DynamicObject d)
        {
            MetadataJson.Set(d, "ownerReferences", JsonSerializer.SerializeToNode(refs, KubernetesSerialization.Options));
        }
    }

    private static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
