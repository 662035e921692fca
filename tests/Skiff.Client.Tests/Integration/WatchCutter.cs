using System.Collections.Concurrent;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// A transport wrapper (see <see cref="Config.ClientConfig.WrapTransport"/>) that can break every open watch
/// connection and hold new watch requests until released, so a test can change the server while a client is
/// disconnected. Other requests pass through untouched.
/// </summary>
public sealed class WatchCutter : DelegatingHandler
{
    private readonly ConcurrentDictionary<HttpResponseMessage, byte> _open = new();
    private readonly object _lock = new();
    private TaskCompletionSource _gate = Opened();
    private TaskCompletionSource _watchStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _watches;

    public WatchCutter(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <summary>The number of watch requests answered so far.</summary>
    public int Watches => Volatile.Read(ref _watches);

    /// <summary>Completes when the next watch request (after this call) gets its response headers.</summary>
    public Task NextWatchStarted()
    {
        lock (_lock)
        {
            if (_watchStarted.Task.IsCompleted)
            {
                _watchStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return _watchStarted.Task;
        }
    }

    /// <summary>Holds new watch requests and aborts every open watch.</summary>
    public void Cut()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        foreach (var r in _open.Keys)
        {
            _open.TryRemove(r, out _);
            r.Dispose();
        }
    }

    /// <summary>Lets held and future watch requests through.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isWatch = request.RequestUri?.OriginalString.Contains("watch=true", StringComparison.Ordinal) == true;
        if (!isWatch)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        Task gate;
        lock (_lock)
        {
            gate = _gate.Task;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        _open[response] = 0;
        Interlocked.Increment(ref _watches);
        lock (_lock)
        {
            _watchStarted.TrySetResult();
        }

        return response;
    }

    private static TaskCompletionSource Opened()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }
}
