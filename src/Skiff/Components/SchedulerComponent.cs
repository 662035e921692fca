using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Components;

/// <summary>
/// The scheduler (<see cref="KubeScheduler"/>) as a component. Start connects (through <paramref name="connect"/>: in
/// <c>skiff up</c> a fresh <c>system:kube-scheduler</c> client certificate over loopback HTTPS; standalone, a
/// kubeconfig), builds the profiles and starts the scheduler, waiting briefly for it to lead (Lease
/// <c>kube-system/kube-scheduler</c>). If it stops on its own (leadership lost, or a failure) the whole process stops
/// with exit code 1, as upstream's does.
/// </summary>
internal sealed partial class SchedulerComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    Func<ClientConfig, SchedulerOptions> configure,
    IHostApplicationLifetime lifetime,
    ExitCode exit,
    ILoggerFactory loggers) : Component("scheduler", loggers.CreateLogger("Skiff.Scheduler"))
{
    /// <summary>How long start waits for the scheduler to lead before reporting the component started anyway.</summary>
    private static readonly TimeSpan ElectionWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private KubeScheduler? _scheduler;
    private Task _run = Task.CompletedTask;

    /// <summary>True once the scheduler stopped on its own (leadership lost or a failure).</summary>
    public bool HasFailed { get; private set; }

    /// <summary>The running scheduler (after start).</summary>
    public KubeScheduler Scheduler => _scheduler ?? throw new InvalidOperationException("the scheduler has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var client = await connect(ct).ConfigureAwait(false);
        try
        {
            _scheduler = new KubeScheduler(configure(client) with { LoggerFactory = loggers });
        }
        catch (ArgumentException e)
        {
            throw new ComponentStartException(e.Message, e);
        }

        _run = RunAsync(_scheduler);
        await Task.WhenAny(_scheduler.Manager.Elected, _run, Task.Delay(ElectionWait, ct)).ConfigureAwait(false);
    }

    private async Task RunAsync(KubeScheduler scheduler)
    {
        try
        {
            await Task.Yield();
            await scheduler.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception e)
        {
            HasFailed = true;
            LogFailed(Logger, e.Message, e);
            exit.Set(1);
            lifetime.StopApplication();
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _scheduler?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler stopped: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception e);
}
