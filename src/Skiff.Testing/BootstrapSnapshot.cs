using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.FlowControl;
using Skiff.Storage;

namespace Skiff.Testing;

/// <summary>
/// The bootstrap RBAC policy as the first default test cluster of the process stored it (every ClusterRole,
/// ClusterRoleBinding, Role and RoleBinding the API server reconciled at start), and the API Priority and Fairness
/// bootstrap configuration (every FlowSchema, with its Dangling status condition, and PriorityLevelConfiguration),
/// written into the fresh memory store of each later default cluster before its server starts. The server's reconcile
/// and APF ensurer then find everything in place and write nothing, which is most of an API server's start. The APF
/// objects are taken only once every FlowSchema carries its status (written asynchronously after start), so a later
/// cluster may take them. Only clusters on a store they own, serving the built-in
/// catalogue with authorization on, take or use the snapshot; the policy is a constant of the process, so the result
/// is what the reconcile would have written.
/// </summary>
internal static class BootstrapSnapshot
{
    /// <summary>Where the RBAC objects live in the store.</summary>
    public const string Prefix = "/registry/rbac.authorization.k8s.io/";

    /// <summary>Where the API Priority and Fairness objects live in the store.</summary>
    public const string FlowControlPrefix = "/registry/flowcontrol.apiserver.k8s.io/";

    private static IReadOnlyList<(string Key, byte[] Value)>? _objects;
    private static volatile bool _includeFlowControl = true;
    private static IReadOnlyList<(string Key, byte[] Value)>? _flowControl;

    /// <summary>Whether the APF objects are restored too (default true; the start bench turns it off for its baseline).</summary>
    public static bool IncludeFlowControl
    {
        get => _includeFlowControl;
        set => _includeFlowControl = value;
    }

    /// <summary>Whether a cluster with <paramref name="options"/> may take or use the snapshot.</summary>
    public static bool Applies(SkiffTestClusterOptions options) =>
        options.Storage is null && options.Resources is null && options.EnforceAuthorization && options.ApiServerAdjustments.Count == 0;

    /// <summary>Writes the snapshot (if one was taken) into <paramref name="fresh"/>, an empty store.</summary>
    public static async Task RestoreAsync(IStorage fresh, CancellationToken ct)
    {
        foreach (var (key, value) in (Volatile.Read(ref _objects) ?? []).Concat((IncludeFlowControl ? Volatile.Read(ref _flowControl) : null) ?? []))
        {
            await fresh.CreateAsync(key, value, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the snapshot from <paramref name="store"/> (just after its server started) unless one exists.</summary>
    public static async Task CaptureAsync(IStorage store, CancellationToken ct)
    {
        if (Volatile.Read(ref _objects) is null)
        {
            var list = await store.ListAsync(Prefix, new ListOptions(), ct).ConfigureAwait(false);
            if (!list.HasMore)
            {
                Interlocked.CompareExchange(ref _objects, [.. list.Items.Select(kv => (kv.Key, kv.Value.ToArray()))], null);
            }
        }

        if (Volatile.Read(ref _flowControl) is null)
        {
            await CaptureFlowControlAsync(store, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the APF objects once the server has written every FlowSchema's status (waits at most 10 s for it).</summary>
    private static async Task CaptureFlowControlAsync(IStorage store, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var list = await store.ListAsync(FlowControlPrefix, new ListOptions(), ct).ConfigureAwait(false);
        try
        {
            var from = list.Revision;
            while (list.HasMore || !FlowControlComplete(list.Items))
            {
                // Wait for the next write under the prefix, then look again.
                await using var events = store.WatchAsync(FlowControlPrefix, new WatchOptions(from), deadline.Token).GetAsyncEnumerator(deadline.Token);
                if (!await events.MoveNextAsync().ConfigureAwait(false))
                {
                    return;
                }

                list = await store.ListAsync(FlowControlPrefix, new ListOptions(), ct).ConfigureAwait(false);
                from = list.Revision;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return;
        }

        Interlocked.CompareExchange(ref _flowControl, [.. list.Items.Select(kv => (kv.Key, kv.Value.ToArray()))], null);
    }

    /// <summary>Whether every bootstrap object is there and every FlowSchema has its Dangling condition.</summary>
    private static bool FlowControlComplete(IReadOnlyList<KeyValue> items)
    {
        var schemas = items.Where(kv => kv.Key.StartsWith(FlowControlPrefix + "flowschemas/", StringComparison.Ordinal)).ToList();
        var expected = FlowControlBootstrap.MandatoryFlowSchemas().Count + FlowControlBootstrap.SuggestedFlowSchemas().Count;
        if (schemas.Count != expected)
        {
            return false;
        }

        foreach (var kv in schemas)
        {
            try
            {
                if (JsonNode.Parse(kv.Value.Span)?["status"]?["conditions"] is not JsonArray { Count: > 0 })
                {
                    return false;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }

        return true;
    }
}
