using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Kubelet;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Pods;

namespace Skiff.Components;

/// <summary>
/// The real kubelet as a component. Start attaches to the CRI runtime at <paramref name="endpoint"/>, or (k3s's way)
/// starts containerd itself under <c>DATA_DIR/containerd</c>; imports every <c>*.tar</c> of <c>DATA_DIR/images</c> and
/// makes sure the pause image exists (built from busybox-static when missing); then connects (in <c>skiff up</c> with a
/// certificate for <c>system:node:NAME</c> in <c>system:nodes</c>) and starts <see cref="RealKubelet"/>. Stop stops the
/// pods gracefully within <see cref="ShutdownBudget"/>, then the containerd it started.
/// </summary>
internal sealed class KubeletComponent(
    Func<string, CancellationToken, Task<ClientConfig>> connect,
    string? endpoint,
    string dataDirectory,
    KubeletOptions options,
    ILoggerFactory loggers) : Component("kubelet", loggers.CreateLogger("Skiff.Kubelet"))
{
    /// <summary>How long pods get to stop when the process shuts down (within the host's grace for a component).</summary>
    public static TimeSpan ShutdownBudget { get; } = TimeSpan.FromSeconds(6);

    private ContainerdSupervisor? _containerd;
    private RealKubelet? _kubelet;
    private Clientset? _client;

    /// <summary>The running kubelet (after start).</summary>
    public RealKubelet Kubelet => _kubelet ?? throw new InvalidOperationException("the kubelet has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        try
        {
            _containerd = endpoint is not null
                ? await ContainerdSupervisor.AttachAsync(endpoint, Logger, ct).ConfigureAwait(false)
                : await ContainerdSupervisor.StartAsync(new ContainerdConfig { Directory = Path.Combine(dataDirectory, "containerd") }, Logger, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            var snapshotter = _containerd.Config.Snapshotter;
            var socket = CriConnection.SocketPathOf(_containerd.Endpoint);
            await ImageImporter.ImportDirectoryAsync(socket, Path.Combine(dataDirectory, "images"), snapshotter, Logger, ct).ConfigureAwait(false);
            using (var cri = CriConnection.Connect(_containerd.Endpoint))
            {
                if (SkiffImages.CanBuild)
                {
                    await ImageImporter.EnsureAsync(cri, SkiffImages.PauseImage, snapshotter, Path.Combine(dataDirectory, "containerd", "images"), ct).ConfigureAwait(false);
                }
            }

            _client = new Clientset(await connect(options.NodeName, ct).ConfigureAwait(false));
            _kubelet = await RealKubelet.StartAsync(_client, _containerd.Endpoint, _containerd.Owned ? _containerd.Config.CniConfDirectory : null,
                options with { LoggerFactory = loggers }, null, null, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or Grpc.Core.RpcException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start the kubelet: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_kubelet is not null)
        {
            await _kubelet.DisposeAsync().ConfigureAwait(false);
            _kubelet = null;
        }

        _client?.Dispose();
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync().ConfigureAwait(false);
            _containerd = null;
        }
    }
}
