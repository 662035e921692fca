using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// The PriorityClasses upstream's API server creates at start (the scheduling storage's post-start hook):
/// <c>system-node-critical</c> (2000001000) and <c>system-cluster-critical</c> (2000000000), with upstream's
/// descriptions. Pods naming them resolve through the Priority plugin.
/// </summary>
internal static class SystemPriorityClasses
{
    /// <summary>The classes: name, value, description.</summary>
    public static IReadOnlyList<(string Name, long Value, string Description)> All { get; } =
    [
        ("system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2000000000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    /// <summary>Creates the missing classes (no-op when the resource is not served).</summary>
    public static async Task EnsureAsync(ResourceRegistry registry, ResourceEndpoint resources, CancellationToken ct)
    {
        if (registry.Find("scheduling.k8s.io", "v1", "priorityclasses") is not { } d)
        {
            return;
        }

        var store = resources.StoreFor(d);
        foreach (var (name, value, description) in All)
        {
            if (await store.GetRawAsync("", name, ct).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                var obj = new JsonObject
                {
                    ["apiVersion"] = "scheduling.k8s.io/v1",
                    ["kind"] = "PriorityClass",
                    ["metadata"] = new JsonObject { ["name"] = name },
                    ["value"] = value,
                    ["description"] = description,
                };
                await store.CreateAsync("", obj, new WriteOptions(false, "kube-apiserver"), ct).ConfigureAwait(false);
            }
            catch (StatusException e) when (e.Code == 409)
            {
                // Created concurrently.
            }
        }
    }
}
