using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.ServiceAccount;

/// <summary>
/// Upstream's <c>serviceaccount</c> controller (<c>pkg/controller/serviceaccount/serviceaccounts_controller.go</c>):
/// every Active namespace has the ServiceAccounts of <see cref="Names"/> (<c>default</c>); one deleted is recreated.
/// Reconciles namespaces: a namespace change, or a change of one of those ServiceAccounts, enqueues the namespace.
/// A namespace that is gone or not Active (terminating) is left alone; a create that races with another writer
/// (AlreadyExists) or with termination (Forbidden) is not an error.
/// </summary>
public sealed class ServiceAccountsController : IReconciler
{
    private readonly Clientset _clientset;
    private readonly Lister<V1Namespace> _namespaces;
    private readonly Lister<V1ServiceAccount> _serviceAccounts;

    private ServiceAccountsController(Manager manager)
    {
        _clientset = manager.Clientset;
        _namespaces = manager.Informers.Informer<V1Namespace>().Lister;
        _serviceAccounts = manager.Informers.Informer<V1ServiceAccount>().Lister;
    }

    /// <summary>The ServiceAccounts every namespace gets (upstream's default options).</summary>
    public static IReadOnlyList<string> Names { get; } = ["default"];

    /// <summary>Wires the controller into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context)
    {
        var manager = context.Manager;
        manager.CreateController()
            .Named("serviceaccount")
            .For<V1Namespace>()
            .Watches<V1ServiceAccount>(sa => Names.Contains(sa.Metadata.Name) ? [new ReconcileRequest(null, sa.Metadata.NamespaceProperty)] : [])
            .Complete(new ServiceAccountsController(manager));
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = _namespaces.Get(null, request.Name);
        if (ns is null || ns.Status?.Phase is { } phase && phase != "Active" || ns.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        foreach (var name in Names)
        {
            if (_serviceAccounts.Get(request.Name, name) is not null)
            {
                continue;
            }

            try
            {
                await _clientset.CoreV1().ServiceAccounts(request.Name)
                    .CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ct: ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsAlreadyExists || e.IsForbidden || e.IsNotFound)
            {
                // Created meanwhile, or the namespace is terminating or gone.
            }
        }

        return ReconcileResult.Done;
    }
}
