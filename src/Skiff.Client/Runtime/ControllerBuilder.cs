using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;

namespace Skiff.Client.Runtime;

/// <summary>
/// Wires a controller to its manager's informers (controller-runtime <c>builder.Builder</c>):
/// <c>manager.CreateController().For&lt;V1Namespace&gt;().Owns&lt;V1ConfigMap&gt;().Complete(reconciler)</c>.
/// <list type="bullet">
/// <item><see cref="For{T}"/>: every add, update (including resyncs) and delete of a T enqueues its own key.</item>
/// <item><see cref="Owns{TChild}"/>: a change of a TChild enqueues the key of its controlling owner
/// (<c>ownerReferences[controller=true]</c> of the For kind); for a cluster-scoped owner the key has no namespace.
/// Updates enqueue the owners of both the old and the new state.</item>
/// <item><see cref="Watches{TOther}"/>: a change of a TOther enqueues whatever the map function returns.</item>
/// </list>
/// </summary>
public sealed class ControllerBuilder
{
    private readonly Manager _manager;
    private readonly List<Action<Controller>> _wiring = [];
    private ResourceInfo? _for;
    private string? _name;
    private int _workers = 1;
    private IRateLimiter<ReconcileRequest>? _limiter;

    internal ControllerBuilder(Manager manager)
    {
        _manager = manager;
    }

    /// <summary>The controller's name (queue metrics, logs); default: the For resource.</summary>
    public ControllerBuilder Named(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>Reconciles objects of type <typeparamref name="T"/>; <paramref name="predicate"/> filters which changes count.</summary>
    public ControllerBuilder For<T>(Func<T, bool>? predicate = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (_for is not null)
        {
            throw new InvalidOperationException("For may be called once");
        }

        _for = ResourceInfo.For<T>();
        return Watches<T>(o => predicate is null || predicate(o) ? [new ReconcileRequest(o.Metadata.NamespaceProperty, o.Metadata.Name)] : []);
    }

    /// <summary>Reconciles the controlling owner (of the For kind) when an owned <typeparamref name="TChild"/> changes.</summary>
    public ControllerBuilder Owns<TChild>()
        where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        var owner = _for ?? throw new InvalidOperationException("call For before Owns");
        return Watches<TChild>(child => (child.Metadata.OwnerReferences ?? [])
            .Where(r => r.Controller == true && r.Kind == owner.Kind && GroupOf(r.ApiVersion) == owner.Group)
            .Select(r => new ReconcileRequest(owner.Namespaced ? child.Metadata.NamespaceProperty : null, r.Name)));
    }

    /// <summary>Enqueues <paramref name="map"/>'s requests for every change of a <typeparamref name="TOther"/>.</summary>
    public ControllerBuilder Watches<TOther>(Func<TOther, IEnumerable<ReconcileRequest>> map)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        _wiring.Add(controller =>
        {
            var informer = _manager.Informers.Informer<TOther>();
            void Enqueue(TOther o)
            {
                foreach (var r in map(o))
                {
                    controller.Queue.Add(r);
                }
            }

            informer.AddEventHandler(new ResourceEventHandler<TOther>(
                onAdd: (o, _) => Enqueue(o),
                onUpdate: (oldObj, newObj) =>
                {
                    Enqueue(oldObj);
                    Enqueue(newObj);
                },
                onDelete: (o, _) => Enqueue(o)));
        });
        return this;
    }

    /// <summary>How many requests are reconciled in parallel (never two for the same request).</summary>
    public ControllerBuilder WithWorkers(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _workers = workers;
        return this;
    }

    /// <summary>The failure backoff (default: client-go's DefaultControllerRateLimiter).</summary>
    public ControllerBuilder WithRateLimiter(IRateLimiter<ReconcileRequest> limiter)
    {
        _limiter = limiter;
        return this;
    }

    /// <summary>Builds the controller, registers its event handlers and adds it to the manager.</summary>
    public Controller Complete(IReconciler reconciler)
    {
        var name = _name ?? _for?.Plural ?? throw new InvalidOperationException("call For or Named before Complete");
        var queue = new RateLimitingQueue<ReconcileRequest>(
            _limiter ?? RateLimiters.DefaultController<ReconcileRequest>(_manager.Options.TimeProvider),
            new WorkQueueOptions { Name = name, TimeProvider = _manager.Options.TimeProvider });
        var controller = new Controller(name, reconciler, queue, _workers, _manager.Options.LoggerFactory);
        foreach (var wire in _wiring)
        {
            wire(controller);
        }

        _manager.Add(controller);
        return controller;
    }

    private static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
