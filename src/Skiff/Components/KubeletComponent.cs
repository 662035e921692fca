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
/// pods gracefully within <see cref="ShutdownBudget"/>, then the containerd it started.
/// </summary>
internal sealed partial class KubeletComponent(
    Func<string, CancellationToken, Task<ClientConfig>> connect,
    string? endpoint,
    string dataDirectory,
    KubeletOptions options,
    ILoggerFactory loggers,
    Skiff.Kubelet.Certificates.KubeletClientCertificateManager? clientCertificates = null,
    bool rotateServerCertificates = false) : Component("kubelet", loggers.CreateLogger("Skiff.Kubelet"))
{
    /// <summary>How long pods get to stop when the process shuts down (within the host's grace for a component).</summary>
    public static TimeSpan ShutdownBudget { get; } = TimeSpan.FromSeconds(6);

    private ContainerdSupervisor? _containerd;
    private RealKubelet? _kubelet;
    private KubeletServer? _server;
    private Clientset? _client;
    private ClientConfig? _config;
    private CancellationTokenSource? _rotationStop;
    private Task _rotation = Task.CompletedTask;
    private Task _servingRotation = Task.CompletedTask;

    /// <summary>The running kubelet (after start).</summary>
    public RealKubelet Kubelet => _kubelet ?? throw new InvalidOperationException("the kubelet has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        try
        {
            // Connect first: a bootstrapping kubelet (--bootstrap-kubeconfig) gets its identity through a CSR before
            // anything else, as upstream's kubelet does before it touches the runtime.
            _config = await connect(options.NodeName, ct).ConfigureAwait(false);
            _client = new Clientset(_config);
            _rotationStop = new CancellationTokenSource();
            if (clientCertificates is not null)
            {
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
        }
        catch (Exception e) when (e is IOException or TimeoutException or Grpc.Core.RpcException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException
            or InvalidOperationException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start the kubelet: {e.Message}", e);
        }
    }

    /// <summary>
    /// The kubelet's HTTPS server (logs, exec, attach) on <see cref="KubeletOptions.Port"/>. With
    /// <c>--rotate-server-certificates</c> its certificate comes from a <c>kubernetes.io/kubelet-serving</c> CSR
    /// (<see cref="Skiff.Kubelet.Certificates.KubeletServingCertificateManager"/>; handshakes fail until someone approves it,
    /// as upstream) and clients are checked against the kubeconfig's CA; otherwise a serving certificate for the node is
    /// issued from the cluster CA when this process holds it (<c>skiff up</c>), and a standalone kubelet without the CA's
    /// key serves nothing and says so.
    /// </summary>
    private async Task StartServerAsync(CancellationToken ct)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        X509Certificate2? serving = null;
        Func<X509Certificate2>? selector = null;
        X509Certificate2? clientCa;
        if (rotateServerCertificates)
        {
            clientCa = _config?.CertificateAuthorities is { Count: > 0 } cas ? cas[0]
                : File.Exists(Path.Combine(pki, "ca.crt")) ? X509CertificateLoader.LoadCertificateFromFile(Path.Combine(pki, "ca.crt")) : null;
            if (clientCa is null)
            {
                LogNoClientCa(Logger);
                return;
            }

            var manager = new Skiff.Kubelet.Certificates.KubeletServingCertificateManager(options.NodeName, pki, () => Kubelet.Node.Addresses, TimeProvider.System,
                loggers.CreateLogger("Skiff.Kubelet.Certificates"));
            _servingRotation = manager.RunRotationAsync(_client!, _rotationStop!.Token);
            selector = manager.SelectForHandshake;
        }
        else
        {
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

            serving = ClusterCertificates.IssueKubeletServingCertificate(pki, options.NodeName, addresses);
            clientCa = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(pki, "ca.crt"));
        }

        _server = new KubeletServer(new KubeletServerOptions
        {
            ServingCertificate = serving,
            ServingCertificateSelector = selector,
            ClientCa = clientCa,
            Runtime = Kubelet.Lookup,
            Auth = new DelegatedKubeletAuth(_client!, options.NodeName),
            Pods = () => [.. Kubelet.Pods.ManagedPods().Select(p => (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(p))!)],
            Port = options.Port,
        });
        await _server.StartAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "--rotate-server-certificates: no CA in the kubeconfig or the pki directory to check clients with: the kubelet serves no logs, exec or attach")]
    private static partial void LogNoClientCa(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no cluster CA key in {Pki}: the kubelet serves no logs, exec or attach")]
    private static partial void LogNoServer(ILogger logger, string pki);

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_rotationStop is not null)
        {
            await _rotationStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_rotation, _servingRotation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _rotationStop.Dispose();
            _rotationStop = null;
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
