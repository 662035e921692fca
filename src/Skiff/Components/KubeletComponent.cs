using System.Net;
using System.Text.Json.Nodes;
using k8s;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Kubelet;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Pods;
using Skiff.Kubelet.Server;

namespace Skiff.Components;

/// <summary>
/// The real kubelet as a component. Start attaches to the CRI runtime at <paramref name="endpoint"/>, or (k3s's way)
/// starts containerd itself under <c>DATA_DIR/containerd</c>; imports every <c>*.tar</c> of <c>DATA_DIR/images</c> and
/// makes sure the pause image exists (built from busybox-static when missing); then connects (in <c>skiff up</c> with a
/// certificate for <c>system:node:NAME</c> in <c>system:nodes</c>) and starts <see cref="RealKubelet"/>. Stop stops the
/// pods gracefully within <see cref="ShutdownBudget"/>, then the containerd it started. The plain-HTTP <c>/healthz</c>
/// (<see cref="KubeletHealthzServer"/>, 127.0.0.1:10248 by default) starts once the kubelet runs, as upstream's.
/// </summary>
internal sealed partial class KubeletComponent(
    Func<string, CancellationToken, Task<ClientConfig>> connect,
    string? endpoint,
    string dataDirectory,
    KubeletOptions options,
    ILoggerFactory loggers,
    Skiff.Kubelet.Certificates.KubeletClientCertificateManager? clientCertificates = null) : Component("kubelet", loggers.CreateLogger("Skiff.Kubelet"))
{
    /// <summary>How long pods get to stop when the process shuts down (within the host's grace for a component).</summary>
    public static TimeSpan ShutdownBudget { get; } = TimeSpan.FromSeconds(6);

    private ContainerdSupervisor? _containerd;
    private RealKubelet? _kubelet;
    private KubeletServer? _server;
    private KubeletHealthzServer? _healthz;
    private Clientset? _client;
    private CancellationTokenSource? _rotationStop;
    private Task _rotation = Task.CompletedTask;

    /// <summary>The running kubelet (after start).</summary>
    public RealKubelet Kubelet => _kubelet ?? throw new InvalidOperationException("the kubelet has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        try
        {
            // Connect first: a bootstrapping kubelet (--bootstrap-kubeconfig) gets its identity through a CSR before
            // anything else, as upstream's kubelet does before it touches the runtime.
            _client = new Clientset(await connect(options.NodeName, ct).ConfigureAwait(false));
            if (clientCertificates is not null)
            {
                _rotationStop = new CancellationTokenSource();
                _rotation = clientCertificates.RunRotationAsync(_client, _rotationStop.Token);
            }

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

            _kubelet = await RealKubelet.StartAsync(_client, _containerd.Endpoint, _containerd.Owned ? _containerd.Config.CniConfDirectory : null,
                options with { LoggerFactory = loggers }, null, null, ct).ConfigureAwait(false);
            await StartServerAsync(ct).ConfigureAwait(false);
            if (options.HealthzPort > 0)
            {
                _healthz = new KubeletHealthzServer(options.HealthzBindAddress, options.HealthzPort, loggers);
                _healthz.Start();
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException or Grpc.Core.RpcException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException
            or InvalidOperationException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start the kubelet: {e.Message}", e);
        }
    }

    /// <summary>
    /// The kubelet's HTTPS server (logs, exec, attach) on <see cref="KubeletOptions.Port"/>, with a serving certificate
    /// for the node issued from the cluster CA when this process holds it (<c>skiff up</c>); a standalone kubelet
    /// without the CA's key serves nothing and says so.
    /// </summary>
    private async Task StartServerAsync(CancellationToken ct)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        if (!File.Exists(Path.Combine(pki, "ca.key")))
        {
            LogNoServer(Logger, pki);
            return;
        }

        var addresses = new List<IPAddress> { IPAddress.Loopback };
        if (IPAddress.TryParse(Kubelet.Node.InternalIp, out var internalIp))
        {
            addresses.Add(internalIp);
        }

        _server = new KubeletServer(new KubeletServerOptions
        {
            ServingCertificate = ClusterCertificates.IssueKubeletServingCertificate(pki, options.NodeName, addresses),
            ClientCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(pki, "ca.crt")),
            Runtime = Kubelet.Lookup,
            Auth = new DelegatedKubeletAuth(_client!, options.NodeName),
            Pods = () => [.. Kubelet.Pods.ManagedPods().Select(p => (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(p))!)],
            Port = options.Port,
        });
        await _server.StartAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "no cluster CA key in {Pki}: the kubelet serves no logs, exec or attach")]
    private static partial void LogNoServer(ILogger logger, string pki);

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_rotationStop is not null)
        {
            await _rotationStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _rotation.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _rotationStop.Dispose();
            _rotationStop = null;
        }

        if (_healthz is not null)
        {
            await _healthz.DisposeAsync().ConfigureAwait(false);
            _healthz = null;
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
        }

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
