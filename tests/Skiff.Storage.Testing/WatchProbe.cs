using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Skiff.Storage.Testing;

/// <summary>
/// Consumes a storage watch in the background so tests can wait for its next event with a deadline (never a sleep).
/// </summary>
public sealed class WatchProbe : IAsyncDisposable
{
    /// <summary>How long a test waits for an expected event before failing.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly Channel<StorageEvent> _events = Channel.CreateUnbounded<StorageEvent>();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _pump;
    private Exception? _error;

    private WatchProbe(IStorage storage, string prefix, WatchOptions options)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in storage.WatchAsync(prefix, options, _cts.Token).ConfigureAwait(false))
                {
                    await _events.Writer.WriteAsync(e).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>Starts watching.</summary>
    public static WatchProbe Start(IStorage storage, string prefix, WatchOptions options) => new(storage, prefix, options);

    /// <summary>The task that completes when the stream ends (normally or with an error).</summary>
    public Task Completion => _pump;

    /// <summary>The exception that ended the stream, if any (valid after <see cref="Completion"/>).</summary>
    public Exception? Error => _error;

    /// <summary>Stops the watch by cancelling its token.</summary>
    public void Cancel() => _cts.Cancel();

    /// <summary>The next event of any type; rethrows the stream's error when it ended with one.</summary>
    public async Task<StorageEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        bool more;
        try
        {
            more = await _events.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no watch event within {Deadline}");
        }

        if (more && _events.Reader.TryRead(out var e))
        {
            return e;
        }

        if (_error is not null)
        {
            ExceptionDispatchInfo.Throw(_error);
        }

        throw new InvalidOperationException("watch ended without an error");
    }

    /// <summary>The next Added/Modified/Deleted event, skipping progress events.</summary>
    public async Task<StorageEvent> NextKeyEventAsync()
    {
        while (true)
        {
            var e = await NextAsync();
            if (e.Type != StorageEventType.Progress)
            {
                return e;
            }
        }
    }

    /// <summary>Waits for the stream to end and returns its error (null when it ended normally).</summary>
    public async Task<Exception?> WaitForEndAsync()
    {
        await _pump.WaitAsync(Deadline);
        return _error;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try
        {
            await _pump.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            // a stuck stream is reported by the test that waited on it
        }

        _cts.Dispose();
    }
}
