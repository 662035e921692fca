using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Upstream's autoregister and CRD-registration controllers: a local APIService (<c>spec.service: null</c>) for every
/// group/version the server serves — built-ins labelled <c>kube-aggregator.kubernetes.io/automanaged: onstart</c>
/// with upstream's priorities, custom resources' labelled <c>true</c> with priority 1000/100 — kept in step with the
/// served set: created when a group/version appears, deleted when it goes. APIServices it does not own (no label, or
/// with a service) are left alone.
/// </summary>
internal sealed class AutoRegistration(ResourceRegistry registry, ResourceEndpoint endpoint, Aggregator aggregator, ILogger logger)
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Upstream's <c>apiVersionPriorities</c> (group priority, version priority) for the built-in group/versions Skiff serves.</summary>
    public static IReadOnlyDictionary<(string Group, string Version), (int Group, int Version)> Priorities { get; } = new Dictionary<(string, string), (int, int)>
    {
        [("", "v1")] = (18000, 1),
        [("events.k8s.io", "v1")] = (17750, 15),
        [("apps", "v1")] = (17800, 15),
        [("authentication.k8s.io", "v1")] = (17700, 15),
        [("authorization.k8s.io", "v1")] = (17600, 15),
        [("autoscaling", "v1")] = (17500, 15),
        [("autoscaling", "v2")] = (17500, 30),
        [("batch", "v1")] = (17400, 15),
        [("certificates.k8s.io", "v1")] = (17300, 15),
        [("networking.k8s.io", "v1")] = (17200, 15),
        [("policy", "v1")] = (17100, 15),
        [("rbac.authorization.k8s.io", "v1")] = (17000, 15),
        [("storage.k8s.io", "v1")] = (16800, 15),
        [("apiextensions.k8s.io", "v1")] = (16700, 15),
        [("admissionregistration.k8s.io", "v1")] = (16700, 15),
        [("scheduling.k8s.io", "v1")] = (16600, 15),
        [("coordination.k8s.io", "v1")] = (16500, 15),
        [("node.k8s.io", "v1")] = (16300, 15),
        [("discovery.k8s.io", "v1")] = (16200, 15),
        [("flowcontrol.apiserver.k8s.io", "v1")] = (16100, 21),
        [("apiregistration.k8s.io", "v1")] = (18000, 15),
    };

    /// <summary>The local APIServices the served set calls for, by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Desired()
    {
        var desired = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var gv in registry.All.GroupBy(d => (d.Group, d.Version)))
        {
            var custom = gv.All(d => d.Custom);
            var (groupPriority, versionPriority) = Priorities.TryGetValue(gv.Key, out var p) ? p : custom ? (1000, 100) : (16000, 9);
            var name = gv.Key.Version + "." + gv.Key.Group;
            desired[name] = new JsonObject
            {
                ["apiVersion"] = "apiregistration.k8s.io/v1",
                ["kind"] = "APIService",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject { [ApiServiceInfo.AutoManagedLabel] = custom ? "true" : "onstart" },
                },
                ["spec"] = new JsonObject
                {
                    ["group"] = gv.Key.Group,
                    ["version"] = gv.Key.Version,
                    ["groupPriorityMinimum"] = groupPriority,
                    ["versionPriority"] = versionPriority,
                },
            };
        }

        return desired;
    }

    /// <summary>Creates the missing local APIServices and deletes the owned ones no longer served.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        if (registry.Find("apiregistration.k8s.io", "v1", "apiservices") is not { } descriptor)
        {
            return;
        }

        var store = endpoint.StoreFor(descriptor);
        var desired = Desired();
        foreach (var (name, obj) in desired)
        {
            if (aggregator.Find(name) is not null)
            {
                continue;
            }

            try
            {
                await store.CreateAsync("", obj, new WriteOptions(false, "kube-apiserver"), ct).ConfigureAwait(false);
            }
            catch (StatusException e) when (e.Code == 409)
            {
                // Created meanwhile (by us or by someone else, whose object stays).
            }
            catch (StatusException e)
            {
                AggregationLog.AutoRegisterFailed(logger, name, e);
            }
        }

        foreach (var info in aggregator.Services.ToList())
        {
            var obj = aggregator.Find(info.Name);
            if (obj is null || info.Service is not null || desired.ContainsKey(info.Name) || !Meta.Labels(obj).ContainsKey(ApiServiceInfo.AutoManagedLabel))
            {
                continue;
            }

            try
            {
                await store.DeleteAsync("", info.Name, new DeleteOptions(), ct).ConfigureAwait(false);
            }
            catch (StatusException e) when (e.Code is 404 or 409)
            {
                // Gone already.
            }
        }
    }

    /// <summary>Re-syncs whenever the served set changes, until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        void Wake() => _wake.Release();
        registry.Changed += Wake;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _wake.WaitAsync(ct).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(ct).ConfigureAwait(false);
                }

                try
                {
                    await SyncAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    AggregationLog.AutoRegisterFailed(logger, "*", e);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            registry.Changed -= Wake;
        }
    }
}
