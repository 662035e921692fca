using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Controllers.Hosting;

namespace Skiff.Components;

/// <summary>
/// The controller manager (<see cref="ControllerManager"/>) as a component. Start connects (through
/// <paramref name="connect"/>: in <c>skiff up</c> a fresh <c>system:kube-controller-manager</c> client certificate
/// over loopback HTTPS; standalone, a kubeconfig), registers the selected controllers and starts the manager, waiting
/// briefly for it to lead. If the manager stops on its own (leadership lost, or a failure) the whole process stops
/// with exit code 1, as upstream's does.
/// </summary>
internal sealed partial class ControllerManagerComponent(
    Func<CancellationToken, Task<(ClientConfig Client, string? RootCa)>> connect,
    Func<ClientConfig, string?, ControllerManagerOptions> configure,
    IHostApplicationLifetime lifetime,
    ExitCode exit,
    ILoggerFactory loggers) : Component("controller-manager", loggers.CreateLogger("Skiff.ControllerManager"))
{
    /// <summary>How long start waits for the manager to lead before reporting the component started anyway.</summary>
    private static readonly TimeSpan ElectionWait = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private ControllerManager? _manager;
    private Task _run = Task.CompletedTask;

    /// <summary>True once the manager stopped on its own (leadership lost or a failure).</summary>
    public bool HasFailed { get; private set; }

    /// <summary>The running controller manager (after start).</summary>
    public ControllerManager Manager => _manager ?? throw new InvalidOperationException("the controller manager has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var (client, rootCa) = await connect(ct).ConfigureAwait(false);
        try
        {
            _manager = new ControllerManager(configure(client, rootCa) with { LoggerFactory = loggers });
        }
        catch (ArgumentException e)
        {
            throw new ComponentStartException(e.Message, e);
        }

        _run = RunAsync(_manager);
        await Task.WhenAny(_manager.Manager.Elected, _run, Task.Delay(ElectionWait, ct)).ConfigureAwait(false);
    }

    private async Task RunAsync(ControllerManager manager)
    {
        try
        {
            await Task.Yield();
            await manager.RunAsync(_stop.Token).ConfigureAwait(false);
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
        _manager?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "controller manager stopped: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception e);
}
