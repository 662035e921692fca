using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skiff.Client.Cache;

/// <summary>
/// The <see cref="ISharedIndexInformer{T}"/>: a <see cref="Reflector{T}"/> feeds a <see cref="DeltaFifo{T}"/>; one loop
/// pops each key's deltas, applies them to the <see cref="Indexer{T}"/> and then notifies every handler, so a handler
/// never sees an object before the cache has it. Per key, handlers see changes in the order they happened.
/// </summary>
public sealed class SharedIndexInformer<T> : ISharedIndexInformer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    // _handlersLock serialises delta processing with handler registration, so a handler added while running gets
    // exactly the cache content at that moment as adds, and every later change as notifications.
    private readonly object _handlersLock = new();
    private readonly List<ProcessorListener<T>> _listeners = [];
    private readonly Indexer<T> _indexer = new();
    private readonly DeltaFifo<T> _fifo;
    private readonly Reflector<T> _reflector;
    private readonly ILoggerFactory _loggerFactory;
    private bool _started;

    public SharedIndexInformer(IListerWatcher<T> listerWatcher, SharedInformerOptions? options = null)
    {
        options ??= new SharedInformerOptions();
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _fifo = new DeltaFifo<T>(_indexer);
        var reflectorOptions = (options.Reflector ?? new ReflectorOptions()) with
        {
            ResyncPeriod = options.ResyncPeriod,
            LabelSelector = options.LabelSelector,
            FieldSelector = options.FieldSelector,
            TimeProvider = options.TimeProvider,
            Name = options.Name.Length > 0 ? options.Name : typeof(T).Name,
        };
        _reflector = new Reflector<T>(listerWatcher, _fifo, reflectorOptions, _loggerFactory.CreateLogger("Skiff.Client.Cache.Reflector"));
        Lister = new Lister<T>(_indexer);
    }

    public IIndexer<T> Indexer => _indexer;

    /// <summary>Typed read access to the cache.</summary>
    public Lister<T> Lister { get; }

    public bool HasSynced => _fifo.HasSynced;

    public string LastSyncResourceVersion => _reflector.LastSyncResourceVersion;

    public IEventHandlerRegistration AddEventHandler(IResourceEventHandler<T> handler)
    {
        lock (_handlersLock)
        {
            var listener = new ProcessorListener<T>(handler, () => HasSynced, Remove, _loggerFactory.CreateLogger("Skiff.Client.Cache.SharedIndexInformer"));
            _listeners.Add(listener);
            if (_started)
            {
                foreach (var obj in _indexer.List())
                {
                    listener.Add(obj, initial: true);
                }
            }

            listener.InitialListQueued();
            return listener;
        }
    }

    public Task WaitForCacheSyncAsync(CancellationToken ct = default) => _fifo.Synced.WaitAsync(ct);

    public async Task RunAsync(CancellationToken ct)
    {
        lock (_handlersLock)
        {
            if (_started)
            {
                throw new InvalidOperationException("the informer is already running");
            }

            _started = true;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reflector = _reflector.RunAsync(stop.Token);
        try
        {
            while (true)
            {
                await _fifo.PopAsync(HandleDeltas, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reflector.ConfigureAwait(false);
            List<ProcessorListener<T>> listeners;
            lock (_handlersLock)
            {
                listeners = [.. _listeners];
            }

            foreach (var l in listeners)
            {
                l.Stop();
            }
        }
    }

    private void HandleDeltas(PoppedDeltas<T> popped)
    {
        lock (_handlersLock)
        {
            foreach (var d in popped.Deltas)
            {
                switch (d.Type)
                {
                    case DeltaType.Deleted:
                        _indexer.Delete(popped.Key);
                        foreach (var l in _listeners)
                        {
                            l.Delete(d.Object, d.IsFinalStateUnknown);
                        }

                        break;
                    default:
                        var old = _indexer.GetByKey(popped.Key);
                        _indexer.AddOrUpdate(d.Object);
                        foreach (var l in _listeners)
                        {
                            if (old is null)
                            {
                                l.Add(d.Object, popped.IsInInitialList);
                            }
                            else
                            {
                                l.Update(old, d.Object);
                            }
                        }

                        break;
                }
            }
        }
    }

    private void Remove(ProcessorListener<T> listener)
    {
        lock (_handlersLock)
        {
            _listeners.Remove(listener);
        }
    }
}
