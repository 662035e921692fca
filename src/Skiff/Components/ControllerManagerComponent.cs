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

    // Built with the host, before any component starts: the JIT work of the client SDK (clients, informers, the Lease
    // codec) overlaps the storage and API server start instead of following it.
    private readonly Task _prewarm = Task.Run(Prewarm);
    private ControllerManager? _manager;
    private Task _run = Task.CompletedTask;

    /// <summary>True once the manager stopped on its own (leadership lost or a failure).</summary>
    public bool HasFailed { get; private set; }

    /// <summary>The running controller manager (after start).</summary>
    public ControllerManager Manager => _manager ?? throw new InvalidOperationException("the controller manager has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        await _prewarm.ConfigureAwait(false);
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

    private static void Prewarm()
    {
        try
        {
            using var warm = new ControllerManager(new ControllerManagerOptions { Client = new ClientConfig { Host = new Uri("https://127.0.0.1:1") } });
            var lease = new k8s.Models.V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new k8s.Models.V1ObjectMeta { Name = "warm", NamespaceProperty = "kube-system" },
                Spec = new k8s.Models.V1LeaseSpec { HolderIdentity = "warm", LeaseDurationSeconds = 15, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow },
            };
            if (Skiff.Client.Protobuf.ProtobufModelCodec.TryEncode(lease, out var bytes))
            {
                Skiff.Client.Protobuf.ProtobufModelCodec.TryDecode<k8s.Models.V1Lease>(bytes, out _);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // Warming is best effort; the real start reports real problems.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "controller manager stopped: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception e);
}
