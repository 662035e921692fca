using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Skiff.Components;

/// <summary>
/// A client component that competes for a Lease and runs until stopped (the controller manager, the scheduler). Start
/// creates it (<see cref="CreateAsync"/>: connect and configure; an <see cref="ArgumentException"/> there is a start
/// failure), runs it in the background and waits up to <see cref="ElectionWait"/> for it to lead. If it stops on its own
/// (leadership lost, or a failure) the whole process stops with exit code 1, as upstream's components do.
/// </summary>
/// <typeparam name="T">The running thing; disposed after it stopped.</typeparam>
internal abstract partial class LeaderElectedComponent<T>(string name, ILogger logger, IHostApplicationLifetime lifetime, ExitCode exit)
    : Component(name, logger)
    where T : class, IDisposable
{
    /// <summary>How long start waits for the component to lead before reporting it started anyway.</summary>
    private static readonly TimeSpan ElectionWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    /// <summary>True once it stopped on its own (leadership lost or a failure).</summary>
    public bool HasFailed { get; private set; }

    /// <summary>The running instance (after start), or null.</summary>
    protected T? Instance { get; private set; }

    /// <summary>Connects and builds the instance.</summary>
    protected abstract Task<T> CreateAsync(CancellationToken ct);

    /// <summary>Completes once <paramref name="instance"/> leads.</summary>
    protected abstract Task Elected(T instance);

    /// <summary>Runs <paramref name="instance"/> until <paramref name="ct"/> is cancelled or it stops on its own.</summary>
    protected abstract Task RunInstanceAsync(T instance, CancellationToken ct);

    protected sealed override async Task StartCoreAsync(CancellationToken ct)
    {
        T instance;
        try
        {
            instance = await CreateAsync(ct).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new ComponentStartException(e.Message, e);
        }

        Instance = instance;
        _run = RunAsync(instance);
        await Task.WhenAny(Elected(instance), _run, Task.Delay(ElectionWait, ct)).ConfigureAwait(false);
    }

    private async Task RunAsync(T instance)
    {
        try
        {
            await Task.Yield();
            await RunInstanceAsync(instance, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception e)
        {
            HasFailed = true;
            LogFailed(Logger, Name, e.Message, e);
            exit.Set(1);
            lifetime.StopApplication();
        }
    }

    protected sealed override async Task StopCoreAsync(CancellationToken ct)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        Instance?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Component} stopped: {Reason}")]
    private static partial void LogFailed(ILogger logger, string component, string reason, Exception e);
}
