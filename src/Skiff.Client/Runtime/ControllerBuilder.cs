using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Cache;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Events;
using Skiff.Client.Schema;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;

namespace Skiff.Client.Runtime;

/// <summary>
/// Wires a controller to its manager's informers (controller-runtime <c>builder.Builder</c>):
/// <c>manager.CreateController().For&lt;V1Namespace&gt;().Owns&lt;V1ConfigMap&gt;().Complete(reconciler)</c>, or, for a
/// resource without a CLR class, <c>For(gvr).Owns&lt;V1Pod&gt;().Owns(gvr2)</c> over <see cref="DynamicObject"/>s.
/// <list type="bullet">
/// <item><see cref="For{T}"/> / <see cref="For(GroupVersionResource, Func{DynamicObject, bool}?)"/>: every add, update
/// (including resyncs) and delete of the reconciled resource enqueues its own key.</item>
/// <item><see cref="Owns{TChild}"/> / <see cref="Owns(GroupVersionResource)"/>: a change of a child enqueues the key of its
/// controlling owner (<c>ownerReferences[controller=true]</c> of the For kind, matched by group and kind); for a
/// cluster-scoped owner the key has no namespace. Updates enqueue the owners of both the old and the new state. The
/// For kind and scope of a dynamic resource come from the manager's RESTMapper, resolved before the informers
/// start.</item>
/// <item><see cref="Watches{TOther}"/> / <see cref="Watches(GroupVersionResource, Func{DynamicObject, IEnumerable{ReconcileRequest}})"/>:
/// a change of another resource enqueues whatever the map function returns.</item>
/// </list>
/// Typed and dynamic watches use the manager's one <see cref="SharedInformerFactory"/>, so two controllers watching the
/// same resource in the same form share an informer.
/// </summary>
public sealed partial class ControllerBuilder
{
    private readonly Manager _manager;
    private readonly List<Action<Controller>> _wiring = [];
    private readonly ILogger _logger;
    private GroupVersionResource? _for;
    private RestMapping? _forMapping;
    private string? _name;
    private int _workers = 1;
    private IRateLimiter<ReconcileRequest>? _limiter;

    internal ControllerBuilder(Manager manager)
    {
        _manager = manager;
        _logger = (manager.Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Client.Runtime.ControllerBuilder");
    }

    /// <summary>The controller's name (queue metrics, logs, event source); default: the For resource.</summary>
    public ControllerBuilder Named(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>Reconciles objects of type <typeparamref name="T"/>; <paramref name="predicate"/> filters which changes count.</summary>
    public ControllerBuilder For<T>(Func<T, bool>? predicate = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var info = ResourceInfo.For<T>();
        SetFor(info.Resource, info.ToRestMapping());
        return Watches<T>(o => predicate is null || predicate(o) ? [new ReconcileRequest(o.Metadata.NamespaceProperty, o.Metadata.Name)] : []);
    }

    /// <summary>
    /// Reconciles objects of <paramref name="gvr"/> (e.g. a custom resource with no CLR class), cached as
    /// <see cref="DynamicObject"/>s in <c>manager.Informers.ForResource(gvr)</c>; <paramref name="predicate"/> filters
    /// which changes count.
    /// </summary>
    public ControllerBuilder For(GroupVersionResource gvr, Func<DynamicObject, bool>? predicate = null)
    {
        ArgumentNullException.ThrowIfNull(gvr);
        SetFor(gvr, _manager.Informers.TryGetMapping(gvr));
        _manager.Informers.RequireMapping(gvr);
        return Watches(gvr, o => predicate is null || predicate(o) ? [new ReconcileRequest(o.Metadata.NamespaceProperty, o.Metadata.Name)] : []);
    }

    /// <summary>Reconciles the controlling owner (of the For kind) when an owned <typeparamref name="TChild"/> changes.</summary>
    public ControllerBuilder Owns<TChild>()
        where TChild : class, IKubernetesObject<V1ObjectMeta>
    {
        var owner = _for ?? throw new InvalidOperationException("call For before Owns");
        return Wire(() => _manager.Informers.Informer<TChild>(), (controller, child) => EnqueueOwners(controller, owner, child.Metadata));
    }

    /// <summary>Reconciles the controlling owner (of the For kind) when an owned object of <paramref name="gvr"/> changes.</summary>
    public ControllerBuilder Owns(GroupVersionResource gvr)
    {
        ArgumentNullException.ThrowIfNull(gvr);
        var owner = _for ?? throw new InvalidOperationException("call For before Owns");
        return Wire(() => _manager.Informers.ForResource(gvr), (controller, child) => EnqueueOwners(controller, owner, child.Metadata));
    }

    /// <summary>Enqueues <paramref name="map"/>'s requests for every change of a <typeparamref name="TOther"/>.</summary>
    public ControllerBuilder Watches<TOther>(Func<TOther, IEnumerable<ReconcileRequest>> map)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
        => Wire(() => _manager.Informers.Informer<TOther>(), (controller, o) => Enqueue(controller, map(o)));

    /// <summary>Enqueues <paramref name="map"/>'s requests for every change of an object of <paramref name="gvr"/>.</summary>
    public ControllerBuilder Watches(GroupVersionResource gvr, Func<DynamicObject, IEnumerable<ReconcileRequest>> map)
    {
        ArgumentNullException.ThrowIfNull(gvr);
        return Wire(() => _manager.Informers.ForResource(gvr), (controller, o) => Enqueue(controller, map(o)));
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
        var name = ControllerName();
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

    /// <summary>
    /// Builds the controller with an <see cref="EventRecorder"/> of its own (source component: the controller's name,
    /// controller-runtime's <c>GetEventRecorderFor</c>), handed to <paramref name="reconciler"/> to make the reconciler;
    /// the recorder is <see cref="Controller.Recorder"/> and is flushed and disposed when the controller stops.
    /// </summary>
    public Controller Complete(Func<EventRecorder, IReconciler> reconciler)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        var recorder = _manager.CreateEventRecorder(ControllerName());
        var controller = Complete(reconciler(recorder));
        controller.Recorder = recorder;
        return controller;
    }

    private string ControllerName() => _name ?? _for?.Resource ?? throw new InvalidOperationException("call For or Named before Complete");

    private void SetFor(GroupVersionResource gvr, RestMapping? mapping)
    {
        if (_for is not null)
        {
            throw new InvalidOperationException("For may be called once");
        }

        _for = gvr;
        _forMapping = mapping;
    }

    private ControllerBuilder Wire<TObj>(Func<SharedIndexInformer<TObj>> informer, Action<Controller, TObj> onChange)
        where TObj : class, IKubernetesObject<V1ObjectMeta>
    {
        _wiring.Add(controller => informer().AddEventHandler(new ResourceEventHandler<TObj>(
            onAdd: (o, _) => onChange(controller, o),
            onUpdate: (oldObj, newObj) =>
            {
                onChange(controller, oldObj);
                onChange(controller, newObj);
            },
            onDelete: (o, _) => onChange(controller, o))));
        return this;
    }

    private static void Enqueue(Controller controller, IEnumerable<ReconcileRequest> requests)
    {
        foreach (var r in requests)
        {
            controller.Queue.Add(r);
        }
    }

    private void EnqueueOwners(Controller controller, GroupVersionResource owner, V1ObjectMeta child)
    {
        var refs = (child.OwnerReferences ?? []).Where(r => r.Controller == true).ToList();
        if (refs.Count == 0)
        {
            return;
        }

        if ((_forMapping ?? _manager.Informers.TryGetMapping(owner)) is { } mapping)
        {
            Enqueue(controller, OwnerRequests(mapping, refs, child.NamespaceProperty));
            return;
        }

        // The owner's kind is not known yet (its resource was not served when the informers started): resolve it and
        // enqueue then; reconciles are level-triggered, so the order relative to other requests does not matter.
        _ = EnqueueWhenResolvedAsync(controller, owner, refs, child.NamespaceProperty);
    }

    private async Task EnqueueWhenResolvedAsync(Controller controller, GroupVersionResource owner, List<V1OwnerReference> refs, string? ns)
    {
        try
        {
            var mapping = await _manager.Informers.GetMappingAsync(owner).ConfigureAwait(false);
            Enqueue(controller, OwnerRequests(mapping, refs, ns));
        }
        catch (Exception e) when (e is NoMatchException or Rest.KubernetesApiException or HttpRequestException)
        {
            LogOwnerUnresolved(controller.Name, owner.ToString(), e);
        }
    }

    private static IEnumerable<ReconcileRequest> OwnerRequests(RestMapping owner, List<V1OwnerReference> refs, string? ns)
        => refs.Where(r => r.Kind == owner.Kind.Kind && GroupOf(r.ApiVersion) == owner.Kind.Group)
            .Select(r => new ReconcileRequest(owner.Namespaced ? ns : null, r.Name));

    private static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "controller {Name}: the owner resource {Owner} is not served; owned objects' changes are dropped")]
    private partial void LogOwnerUnresolved(string name, string owner, Exception e);
}
