using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Schema;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Namespace;

/// <summary>
/// Upstream's <c>namespacedResourcesDeleter</c> (<c>pkg/controller/namespace/deletion/namespaced_resources_deleter.go</c>):
/// for a namespace with a deletionTimestamp, marks it Terminating, deletes its content across every namespaced
/// resource type discovery reports with the <c>delete</c> verb (deletecollection where supported, else list and delete
/// each, always with Background propagation), records progress in the deletion conditions, and — once nothing is
/// left — removes the <c>kubernetes</c> finalizer through <c>PUT /api/v1/namespaces/{name}/finalize</c>.
/// </summary>
internal sealed partial class NamespacedResourcesDeleter(Clientset clientset, DynamicClient dynamic, DiscoveryClient discovery, TimeProvider time, ILogger logger)
{
    /// <summary>The finalizer this controller owns in <c>spec.finalizers</c>.</summary>
    public const string FinalizerName = "kubernetes";

    /// <summary>Upstream's estimate, in seconds, for content that only waits on finalizers.</summary>
    public const long FinalizerEstimateSeconds = 15;

    private static readonly GroupVersionResource NamespacesGvr = new("", "v1", "namespaces");
    private static readonly GroupVersionResource PodsGvr = new("", "v1", "pods");
    private static readonly DeleteOptions Background = new() { PropagationPolicy = "Background" };

    private readonly object _discoveryLock = new();
    private long _discoveredAt = long.MinValue;

    /// <summary>
    /// One deletion pass over <paramref name="name"/>. Returns 0 when the namespace is finalized or needs nothing, else
    /// upstream's estimate (seconds) of how long the remaining content takes to go. Throws when a step failed.
    /// </summary>
    public async Task<long> DeleteAsync(string name, CancellationToken ct)
    {
        V1Namespace ns;
        try
        {
            ns = await clientset.CoreV1().Namespaces().GetAsync(name, ct: ct).ConfigureAwait(false);
            if (ns.Metadata.DeletionTimestamp is null)
            {
                return 0;
            }

            ns = await RetryOnConflictAsync(ns, MarkTerminatingAsync, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return 0;
        }

        if (ns.Metadata.DeletionTimestamp is null || !(ns.Spec?.Finalizers ?? []).Contains(FinalizerName))
        {
            return 0;
        }

        var estimate = await DeleteAllContentAsync(ns, ct).ConfigureAwait(false);
        if (estimate > 0)
        {
            return estimate;
        }

        try
        {
            await RetryOnConflictAsync(ns, FinalizeAsync, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // Another controller sharing the finalizer finished first.
        }

        return 0;
    }

    private async Task<V1Namespace> MarkTerminatingAsync(V1Namespace ns, CancellationToken ct)
    {
        if (ns.Metadata.DeletionTimestamp is null || ns.Status?.Phase == "Terminating")
        {
            return ns;
        }

        ns.Status ??= new V1NamespaceStatus();
        ns.Status.Phase = "Terminating";
        return await clientset.CoreV1().Namespaces().UpdateStatusAsync(ns, ct: ct).ConfigureAwait(false);
    }

    private async Task<V1Namespace> FinalizeAsync(V1Namespace ns, CancellationToken ct)
    {
        ns.Spec ??= new V1NamespaceSpec();
        ns.Spec.Finalizers = [.. (ns.Spec.Finalizers ?? []).Where(f => f != FinalizerName)];
        var body = JsonSerializer.SerializeToNode(ns, KubernetesSerialization.Options)!.AsObject();
        var result = await dynamic.Resource(NamespacesGvr).UpdateAsync(body, subresource: "finalize", ct: ct).ConfigureAwait(false);
        return result.Deserialize<V1Namespace>(KubernetesSerialization.Options)!;
    }

    /// <summary>Runs <paramref name="update"/>; on a conflict re-reads the namespace and tries again (upstream: 5 tries).</summary>
    private async Task<V1Namespace> RetryOnConflictAsync(V1Namespace ns, Func<V1Namespace, CancellationToken, Task<V1Namespace>> update, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await update(ns, ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsConflict && attempt < 5)
            {
                ns = await clientset.CoreV1().Namespaces().GetAsync(ns.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<long> DeleteAllContentAsync(V1Namespace ns, CancellationToken ct)
    {
        var name = ns.Metadata.Name;
        var conditions = new NamespaceConditionUpdater(time.GetUtcNow().UtcDateTime);
        var errors = new List<string>();
        IReadOnlyList<DiscoveredResource> resources = [];
        try
        {
            resources = [.. (await DiscoverAsync(ct).ConfigureAwait(false)).PreferredResources().Where(r => r.Namespaced && r.Verbs.Contains("delete"))];
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException or JsonException)
        {
            // Discovery errors are not fatal for upstream either: carry on with what is known (here: nothing).
            errors.Add(e.Message);
            conditions.DiscoveryError(e.Message);
        }

        var estimate = 0L;
        var remaining = new Dictionary<(string Resource, string Group), int>();
        var finalizers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in resources)
        {
            var (gvrEstimate, left, byFinalizer, error) = await DeleteAllContentForResourceAsync(r, name, ct).ConfigureAwait(false);
            if (error is not null)
            {
                errors.Add(error);
                conditions.DeleteContentError(error);
            }

            estimate = Math.Max(estimate, gvrEstimate);
            if (left > 0)
            {
                remaining[(r.Resource.Resource, r.Resource.Group)] = left;
                foreach (var (f, n) in byFinalizer)
                {
                    finalizers[f] = finalizers.GetValueOrDefault(f) + n;
                }
            }
        }

        conditions.ContentTotals(remaining, finalizers);
        ns.Status ??= new V1NamespaceStatus();
        if (conditions.Update(ns.Status))
        {
            try
            {
                ns = await clientset.CoreV1().Namespaces().UpdateStatusAsync(ns, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e)
            {
                LogConditionUpdateFailed(name, e);
            }
        }

        if (errors.Count > 0)
        {
            throw new NamespaceContentDeletionException(name, errors);
        }

        return estimate;
    }

    private async Task<(long Estimate, int Remaining, Dictionary<string, int> Finalizers, string? Error)> DeleteAllContentForResourceAsync(
        DiscoveredResource r, string ns, CancellationToken ct)
    {
        var client = dynamic.Resource(r.Resource).Namespace(ns);
        long estimate = 0;
        try
        {
            if (r.Resource == PodsGvr)
            {
                estimate = await EstimateGracefulTerminationForPodsAsync(ns, ct).ConfigureAwait(false);
            }

            if (!await DeleteCollectionAsync(r, client, ct).ConfigureAwait(false))
            {
                await DeleteEachItemAsync(r, client, ct).ConfigureAwait(false);
            }

            if (!r.Verbs.Contains("list"))
            {
                return (estimate, 0, [], null);
            }

            var list = await client.ListAsync(ct: ct).ConfigureAwait(false);
            var items = (list["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (items.Count == 0)
            {
                return (0, 0, [], null);
            }

            var finalizers = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                foreach (var f in item["metadata"]?["finalizers"] as JsonArray ?? [])
                {
                    if ((string?)f is { } fin)
                    {
                        finalizers[fin] = finalizers.GetValueOrDefault(fin) + 1;
                    }
                }
            }

            if (estimate != 0)
            {
                return (estimate, items.Count, finalizers, null);
            }

            if (finalizers.Count > 0)
            {
                return (FinalizerEstimateSeconds, items.Count, finalizers, null);
            }

            return (0, items.Count, finalizers, $"unexpected items still remain in namespace: {ns} for gvr: {r.Resource}");
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException or JsonException)
        {
            return (estimate, 0, [], e.Message);
        }
    }

    /// <summary>True when the resource supports deletecollection and the call was made.</summary>
    private static async Task<bool> DeleteCollectionAsync(DiscoveredResource r, DynamicResourceClient client, CancellationToken ct)
    {
        if (!r.Verbs.Contains("deletecollection"))
        {
            return false;
        }

        try
        {
            await client.DeleteCollectionAsync(Background, ct: ct).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesApiException e) when (e.Code == HttpStatusCode.MethodNotAllowed || e.IsNotFound)
        {
            return false;
        }
    }

    private static async Task DeleteEachItemAsync(DiscoveredResource r, DynamicResourceClient client, CancellationToken ct)
    {
        if (!r.Verbs.Contains("list"))
        {
            return;
        }

        JsonObject list;
        try
        {
            list = await client.ListAsync(ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.Code == HttpStatusCode.MethodNotAllowed || e.IsNotFound)
        {
            return;
        }

        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)item["metadata"]?["name"] is not { } itemName)
            {
                continue;
            }

            try
            {
                await client.DeleteAsync(itemName, Background, ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.Code == HttpStatusCode.MethodNotAllowed || e.IsNotFound)
            {
            }
        }
    }

    /// <summary>The longest termination grace period of the namespace's non-terminal pods (upstream's estimate).</summary>
    private async Task<long> EstimateGracefulTerminationForPodsAsync(string ns, CancellationToken ct)
    {
        var pods = await clientset.CoreV1().Pods(ns).ListAsync(ct: ct).ConfigureAwait(false);
        var estimate = 0L;
        foreach (var pod in pods.Items)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            if (pod.Spec?.TerminationGracePeriodSeconds is { } grace && grace > estimate)
            {
                estimate = grace;
            }
        }

        return estimate;
    }

    /// <summary>
    /// Discovery, refetched at most once a second: new resource types (custom resources) are seen by the next pass,
    /// without every worker refetching.
    /// </summary>
    private Task<DiscoveryDocument> DiscoverAsync(CancellationToken ct)
    {
        lock (_discoveryLock)
        {
            var now = time.GetTimestamp();
            if (_discoveredAt == long.MinValue || time.GetElapsedTime(_discoveredAt, now) > TimeSpan.FromSeconds(1))
            {
                discovery.Invalidate();
                _discoveredAt = now;
            }
        }

        return discovery.GetAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "namespace {Namespace}: could not update the deletion conditions")]
    private partial void LogConditionUpdateFailed(string @namespace, Exception e);
}
