using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Api.Selectors;
using Skiff.Client.Rest;

namespace Skiff.Controllers.Common;

/// <summary>
/// Upstream's <c>ControllerRefManager</c> (<c>ClaimPods</c>, <c>ClaimReplicaSets</c>): decides which objects a
/// controller owns, adopting orphans its selector matches and releasing objects it owns that stopped matching.
/// <list type="bullet">
/// <item>Owned by another controller: ignored.</item>
/// <item>Owned by us and matching: claimed. Not matching: released (unless we are being deleted) by a strategic
/// merge patch deleting our ownerReference (<c>{"$patch":"delete","uid":…}</c>, guarded by the object's uid).</item>
/// <item>Orphan, matching, not being deleted, same namespace, and we are not being deleted: adopted by a strategic
/// merge patch adding <c>{controller: true, blockOwnerDeletion: true}</c>, after <c>canAdopt</c> (a fresh read of
/// the owner: same uid, not being deleted) succeeded once.</item>
/// </list>
/// NotFound answers are ignored; other failures are collected and thrown after every object was tried.
/// </summary>
internal sealed class ControllerRefManager<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly V1ObjectMeta _owner;
    private readonly string _apiVersion;
    private readonly string _kind;
    private readonly LabelSelector _selector;
    private readonly Func<CancellationToken, Task> _canAdopt;
    private readonly Func<T, JsonObject, CancellationToken, Task> _patch;
    private Task? _adoptable;

    /// <param name="owner">The controller's metadata.</param>
    /// <param name="apiVersion">The controller's apiVersion.</param>
    /// <param name="kind">The controller's kind.</param>
    /// <param name="selector">Which objects the controller wants.</param>
    /// <param name="canAdopt">Throws when the controller may not adopt (gone, replaced, being deleted); called at most once.</param>
    /// <param name="patch">Sends a strategic merge patch to an object.</param>
    public ControllerRefManager(V1ObjectMeta owner, string apiVersion, string kind, LabelSelector selector,
        Func<CancellationToken, Task> canAdopt, Func<T, JsonObject, CancellationToken, Task> patch)
    {
        _owner = owner;
        _apiVersion = apiVersion;
        _kind = kind;
        _selector = selector;
        _canAdopt = canAdopt;
        _patch = patch;
    }

    /// <summary>The controller reference of <paramref name="meta"/> (the ownerReference with controller=true), or null.</summary>
    public static V1OwnerReference? ControllerOf(V1ObjectMeta meta) => meta.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    /// <summary>A controller reference to <paramref name="owner"/> (controller and blockOwnerDeletion true).</summary>
    public static V1OwnerReference NewControllerRef(V1ObjectMeta owner, string apiVersion, string kind) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = owner.Name, Uid = owner.Uid, BlockOwnerDeletion = true, Controller = true };

    /// <summary>The objects the controller owns after adopting and releasing.</summary>
    /// <exception cref="AggregateException">Some adoption or release failed (the others were done).</exception>
    public async Task<List<T>> ClaimAsync(IEnumerable<T> objects, CancellationToken ct)
    {
        var claimed = new List<T>();
        var errors = new List<Exception>();
        foreach (var o in objects)
        {
            try
            {
                if (await ClaimOneAsync(o, ct).ConfigureAwait(false))
                {
                    claimed.Add(o);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        return errors.Count > 0 ? throw new AggregateException(errors) : claimed;
    }

    private async Task<bool> ClaimOneAsync(T o, CancellationToken ct)
    {
        var meta = o.Metadata;
        var match = Selectors.Matches(_selector, meta.Labels);
        if (ControllerOf(meta) is { } controllerRef)
        {
            if (controllerRef.Uid != _owner.Uid)
            {
                return false;
            }

            if (match)
            {
                return true;
            }

            if (_owner.DeletionTimestamp is null)
            {
                await IgnoreNotFoundAsync(_patch(o, ReleasePatch(meta.Uid, _owner.Uid), ct), ignoreInvalid: true).ConfigureAwait(false);
            }

            return false;
        }

        if (_owner.DeletionTimestamp is not null || !match || meta.DeletionTimestamp is not null ||
            (!string.IsNullOrEmpty(_owner.NamespaceProperty) && _owner.NamespaceProperty != meta.NamespaceProperty))
        {
            return false;
        }

        try
        {
            await (_adoptable ??= _canAdopt(ct)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"can't adopt {typeof(T).Name[2..]} {meta.NamespaceProperty}/{meta.Name} ({meta.Uid}): {e.Message}", e);
        }

        return await IgnoreNotFoundAsync(_patch(o, AdoptPatch(meta.Uid), ct)).ConfigureAwait(false);
    }

    /// <summary>The adoption patch: our controller reference, guarded by the object's uid.</summary>
    public JsonObject AdoptPatch(string uid) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = _apiVersion,
                ["kind"] = _kind,
                ["name"] = _owner.Name,
                ["uid"] = _owner.Uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            }),
            ["uid"] = uid,
        },
    };

    /// <summary>The release patch: delete the ownerReference with <paramref name="ownerUid"/>, guarded by the object's uid.</summary>
    public static JsonObject ReleasePatch(string uid, string ownerUid) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = ownerUid }),
            ["uid"] = uid,
        },
    };

    private static async Task<bool> IgnoreNotFoundAsync(Task patch, bool ignoreInvalid = false)
    {
        try
        {
            await patch.ConfigureAwait(false);
            return true;
        }
        catch (KubernetesApiException e) when (e.IsNotFound || (ignoreInvalid && e.IsInvalid))
        {
            return false;
        }
    }
}
