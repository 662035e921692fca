using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Namespace;

/// <summary>
/// Upstream's <c>namespace</c> controller (<c>pkg/controller/namespace/namespace_controller.go</c>): a namespace with
/// a deletionTimestamp is enqueued <see cref="DeletionGracePeriod"/> after each change it sees (so HA servers observe
/// the deletion and last-minute creates first); a worker runs one <see cref="NamespacedResourcesDeleter"/> pass and,
/// while content remains, requeues the namespace after <c>estimate / 2 + 1</c> seconds (the pods' grace periods, or
/// 15 s for content that waits on finalizers). A failed pass is retried with the queue's backoff.
/// </summary>
public sealed class NamespaceController : IReconciler
{
    /// <summary>Upstream's <c>namespaceDeletionGracePeriod</c>.</summary>
    public static readonly TimeSpan DeletionGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Upstream's <c>--concurrent-namespace-syncs</c> default.</summary>
    public const int Workers = 10;

    private readonly NamespacedResourcesDeleter _deleter;

    private NamespaceController(NamespacedResourcesDeleter deleter)
    {
        _deleter = deleter;
    }

    /// <summary>Wires the controller into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context)
    {
        var manager = context.Manager;
        var time = manager.Options.TimeProvider;
        var logger = context.LoggerFactory.CreateLogger("Skiff.Controllers.Namespace");
        var deleter = new NamespacedResourcesDeleter(manager.Clientset, context.Dynamic, context.Discovery, time, logger);
        var controller = context.NewController("namespace", new NamespaceController(deleter), Workers);
        void Enqueue(V1Namespace ns)
        {
            if (ns.Metadata.DeletionTimestamp is not null)
            {
                controller.Queue.AddAfter(new ReconcileRequest(null, ns.Metadata.Name), DeletionGracePeriod);
            }
        }

        manager.Informers.Informer<V1Namespace>().AddEventHandler(new ResourceEventHandler<V1Namespace>(
            onAdd: (ns, _) => Enqueue(ns),
            onUpdate: (_, ns) => Enqueue(ns)));
        manager.Add(controller);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var estimate = await _deleter.DeleteAsync(request.Name, ct).ConfigureAwait(false);
        return estimate > 0 ? ReconcileResult.After(TimeSpan.FromSeconds(estimate / 2 + 1)) : ReconcileResult.Done;
    }
}
