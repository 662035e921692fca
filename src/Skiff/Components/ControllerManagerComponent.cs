using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Controllers.Hosting;

namespace Skiff.Components;

/// <summary>
/// The controller manager (<see cref="ControllerManager"/>) as a component. Start connects (through
/// <paramref name="connect"/>: in <c>skiff up</c> a fresh <c>system:kube-controller-manager</c> client certificate
/// over loopback HTTPS; standalone, a kubeconfig), registers the selected controllers and starts the manager, waiting
/// briefly for it to lead; if it stops on its own the process exits 1 (see <see cref="LeaderElectedComponent{T}"/>).
/// </summary>
internal sealed class ControllerManagerComponent(
    Func<CancellationToken, Task<(ClientConfig Client, string? RootCa)>> connect,
    Func<ClientConfig, string?, ControllerManagerOptions> configure,
    IHostApplicationLifetime lifetime,
    ExitCode exit,
    ILoggerFactory loggers) : LeaderElectedComponent<ControllerManager>("controller-manager", loggers.CreateLogger("Skiff.ControllerManager"), lifetime, exit)
{
    // Built with the host, before any component starts: the JIT work of the client SDK (clients, informers, the Lease
    // codec) overlaps the storage and API server start instead of following it.
    private readonly Task _prewarm = Task.Run(Prewarm);

    /// <summary>The running controller manager (after start).</summary>
    public ControllerManager Manager => Instance ?? throw new InvalidOperationException("the controller manager has not started");

    protected override async Task<ControllerManager> CreateAsync(CancellationToken ct)
    {
        await _prewarm.ConfigureAwait(false);
        var (client, rootCa) = await connect(ct).ConfigureAwait(false);
        return new ControllerManager(configure(client, rootCa) with { LoggerFactory = loggers });
    }

    protected override Task Elected(ControllerManager instance) => instance.Manager.Elected;

    protected override Task RunInstanceAsync(ControllerManager instance, CancellationToken ct) => instance.RunAsync(ct);

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
}
