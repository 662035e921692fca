using Skiff.ApiServer.Authorization.Bootstrap;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Authorization;

/// <summary>Builds the authorization step at API server start: bootstrap reconcile, caches, Node → RBAC chain.</summary>
internal static class AuthorizationSetup
{
    /// <summary>
    /// Reconciles the bootstrap policy, starts the RBAC cache and the node graph on <paramref name="storage"/>
    /// (they follow it until <paramref name="lifetime"/> is cancelled) and returns the gate once both are synced.
    /// </summary>
    public static async Task<AuthorizationGate> StartAsync(ResourceRegistry registry, ResourceEndpoint resources, IStorage storage, CancellationToken lifetime, CancellationToken ct)
    {
        await BootstrapReconciler.ReconcileAsync(registry, resources, ct).ConfigureAwait(false);
        var rbac = new RbacCache();
        var graph = new NodeGraph();
        await rbac.StartAsync(storage, lifetime).WaitAsync(ct).ConfigureAwait(false);
        await graph.StartAsync(storage, lifetime).WaitAsync(ct).ConfigureAwait(false);
        var chain = new AuthorizerChain([new NodeAuthorizer(graph, BootstrapPolicy.NodeRules), new RbacAuthorizer(rbac)]);
        return new AuthorizationGate(chain, rbac, graph, storage);
    }
}
