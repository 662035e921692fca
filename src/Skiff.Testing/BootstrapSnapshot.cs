using Skiff.Storage;

namespace Skiff.Testing;

/// <summary>
/// The bootstrap RBAC policy as the first default test cluster of the process stored it (every ClusterRole,
/// ClusterRoleBinding, Role and RoleBinding the API server reconciled at start), written into the fresh memory store of
/// each later default cluster before its server starts. The server's reconcile then finds the policy in place and
/// writes nothing, which is most of an API server's start. Only clusters on a store they own, serving the built-in
/// catalogue with authorization on, take or use the snapshot; the policy is a constant of the process, so the result
/// is what the reconcile would have written.
/// </summary>
internal static class BootstrapSnapshot
{
    /// <summary>Where the RBAC objects live in the store.</summary>
    public const string Prefix = "/registry/rbac.authorization.k8s.io/";

    private static IReadOnlyList<(string Key, byte[] Value)>? _objects;

    /// <summary>Whether a cluster with <paramref name="options"/> may take or use the snapshot.</summary>
    public static bool Applies(SkiffTestClusterOptions options) =>
        options.Storage is null && options.Resources is null && options.EnforceAuthorization && options.ApiServerAdjustments.Count == 0;

    /// <summary>Writes the snapshot (if one was taken) into <paramref name="fresh"/>, an empty store.</summary>
    public static async Task RestoreAsync(IStorage fresh, CancellationToken ct)
    {
        if (Volatile.Read(ref _objects) is not { } objects)
        {
            return;
        }

        foreach (var (key, value) in objects)
        {
            await fresh.CreateAsync(key, value, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the snapshot from <paramref name="store"/> (just after its server started) unless one exists.</summary>
    public static async Task CaptureAsync(IStorage store, CancellationToken ct)
    {
        if (Volatile.Read(ref _objects) is not null)
        {
            return;
        }

        var list = await store.ListAsync(Prefix, new ListOptions(), ct).ConfigureAwait(false);
        if (list.HasMore)
        {
            return;
        }

        Interlocked.CompareExchange(ref _objects, [.. list.Items.Select(kv => (kv.Key, kv.Value.ToArray()))], null);
    }
}
