using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Skiff.Client.Cache;

/// <summary>
/// One handler's notification loop (client-go <c>processorListener</c>): an unbounded channel, so the informer never
/// blocks on a slow handler, drained in order by one task.
/// </summary>
internal sealed partial class ProcessorListener<T> : IEventHandlerRegistration
{
    private readonly Channel<Action> _channel = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IResourceEventHandler<T> _handler;
    private readonly Func<bool> _informerSynced;
    private readonly Action<ProcessorListener<T>> _remove;
    private readonly ILogger _logger;
    private int _pendingInitial;
    private int _initialQueued;

    public ProcessorListener(IResourceEventHandler<T> handler, Func<bool> informerSynced, Action<ProcessorListener<T>> remove, ILogger logger)
    {
        _handler = handler;
        _informerSynced = informerSynced;
        _remove = remove;
        _logger = logger;
        Completion = Task.Run(RunAsync);
    }

    public Task Completion { get; }

    public bool HasSynced => _informerSynced() && Volatile.Read(ref _initialQueued) == 1 && Volatile.Read(ref _pendingInitial) == 0;

    /// <summary>Marks that every initial-list notification has been queued.</summary>
    public void InitialListQueued() => Volatile.Write(ref _initialQueued, 1);

    public void Add(T obj, bool initial)
    {
        if (initial)
        {
            Interlocked.Increment(ref _pendingInitial);
        }

        Post(() =>
        {
            try
            {
                _handler.OnAdd(obj, initial);
            }
            finally
            {
                if (initial)
                {
                    Interlocked.Decrement(ref _pendingInitial);
                }
            }
        });
    }

    public void Update(T oldObj, T newObj) => Post(() => _handler.OnUpdate(oldObj, newObj));

    public void Delete(T obj, bool finalStateUnknown) => Post(() => _handler.OnDelete(obj, finalStateUnknown));

    public void Stop() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _remove(this);
        Stop();
    }

    private void Post(Action a) => _channel.Writer.TryWrite(a);

    private async Task RunAsync()
    {
        await foreach (var a in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                a();
            }
            catch (Exception e)
            {
                LogHandlerFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "event handler threw")]
    private partial void LogHandlerFailed(Exception e);
}
