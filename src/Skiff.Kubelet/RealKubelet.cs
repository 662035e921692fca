using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Events;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Kubelet.Env;
using Skiff.Kubelet.Network;
using Skiff.Kubelet.Node;
using Skiff.Kubelet.Pods;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Runtime;
using Skiff.Kubelet.Server;

namespace Skiff.Kubelet;

/// <summary>
/// The real kubelet on a CRI runtime: the node (<see cref="NodeAgent"/>: registration, Lease, status), the pod network's
/// CNI config for the node's pod CIDR, and the pod workers (<see cref="PodWorkers"/>). <see cref="DisposeAsync"/> stops
/// every pod gracefully (the node is shutting down), then the loops; the Node and its Lease stay.
/// </summary>
public sealed partial class RealKubelet : IAsyncDisposable
{
    private readonly CriConnection _cri;
    private readonly TimeSpan _shutdownGrace;
    private readonly EventRecorder _events;

    /// <summary>The bridge whose node-wide masquerade rule this kubelet installed (removed on dispose); null when none.</summary>
    private readonly string? _masqueradeBridge;

    private RealKubelet(CriConnection cri, NodeAgent node, PodWorkers pods, IProbeManager probes, EventRecorder events, TimeSpan shutdownGrace, string? masqueradeBridge)
    {
        _masqueradeBridge = masqueradeBridge;
        _cri = cri;
        _events = events;
        _shutdownGrace = shutdownGrace;
        Node = node;
        Pods = pods;
        Probes = probes;
        Exec = new CriContainerExec(cri);
    }

    public NodeAgent Node { get; }

    public PodWorkers Pods { get; }

    /// <summary>What the kubelet's HTTP server needs (logs, exec, attach, port-forward).</summary>
    public IPodRuntimeLookup Lookup => Pods;

    /// <summary>CRI ExecSync (exec probes).</summary>
    public IContainerExec Exec { get; }

    public IProbeManager Probes { get; }

    /// <summary>
    /// Connects to the runtime at <paramref name="criEndpoint"/>, registers the node, writes the CNI config into
    /// <paramref name="cniConfDirectory"/> (when given: a containerd Skiff runs) with the pod CIDR's egress masqueraded by
    /// one node-wide rule (<see cref="NodeMasquerade"/>; the bridge plugin's per-pod <c>ipMasq</c> when the rule cannot
    /// be installed) and starts the pod workers.
    /// Probes default to the <see cref="ProbeManager"/> over CRI ExecSync and the environment to the
    /// <see cref="ContainerEnvResolver"/> (the node's allocatable for unset limits); both record their events
    /// (<c>Unhealthy</c>, <c>InvalidEnvironmentVariableNames</c>) as component <c>kubelet</c> from this node.
    /// <paramref name="createProbes"/> (given the exec) and <paramref name="env"/> replace them.
    /// </summary>
    public static async Task<RealKubelet> StartAsync(Clientset client, string criEndpoint, string? cniConfDirectory, KubeletOptions options,
        Func<IContainerExec, IProbeManager>? createProbes, IContainerEnvResolver? env, CancellationToken ct)
    {
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Kubelet");
        var cri = CriConnection.Connect(criEndpoint);
        string? masqueradeBridge = null;
        try
        {
            var events = new EventRecorder(client, "kubelet", options.NodeName, loggerFactory: options.LoggerFactory);
            var node = new NodeAgent(client, cri, options, logger) { Events = events };
            await node.StartAsync(ct).ConfigureAwait(false);
            if (cniConfDirectory is not null)
            {
                var (installed, error) = options.NodeMasquerade
                    ? await NodeMasquerade.TryEnsureAsync(node.PodCidr, options.Bridge, ct).ConfigureAwait(false)
                    : (false, "turned off");
                if (installed)
                {
                    masqueradeBridge = options.Bridge;
                }
                else
                {
                    LogPerPodMasquerade(logger, error ?? "");
                }

                await CniConfigWriter.WriteAsync(cniConfDirectory, node.PodCidr, options.Bridge, ipMasq: !installed, ct).ConfigureAwait(false);
            }

            var exec = new CriContainerExec(cri);
            var probes = createProbes?.Invoke(exec) ?? new ProbeManager(exec, new ProbeManagerOptions { Events = events, LoggerFactory = options.LoggerFactory });
            env ??= new ContainerEnvResolver(client, NodeAgent.EnvAllocatable(), events: events);
            var hostIps = (IReadOnlyList<string>)[node.InternalIp];
            var pods = new PodWorkers(client, cri, options, probes, env, () => hostIps, events);
            await pods.StartAsync(ct).ConfigureAwait(false);
            return new RealKubelet(cri, node, pods, probes, events, options.ShutdownGracePeriod, masqueradeBridge);
        }
        catch
        {
            cri.Dispose();
            if (masqueradeBridge is not null)
            {
                await NodeMasquerade.RemoveAsync(masqueradeBridge, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(_shutdownGrace))
        {
            try
            {
                await Pods.StopPodsAsync(_shutdownGrace, grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Out of time: the runtime keeps what is left.
            }
        }

        await Pods.DisposeAsync().ConfigureAwait(false);
        await Probes.DisposeAsync().ConfigureAwait(false);
        await _events.DisposeAsync().ConfigureAwait(false);
        await Node.DisposeAsync().ConfigureAwait(false);
        if (_masqueradeBridge is not null)
        {
            // The pods are stopped: their egress rule goes with them (a restart installs it again).
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await NodeMasquerade.RemoveAsync(_masqueradeBridge, cts.Token).ConfigureAwait(false);
        }

        _cri.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "no node-wide masquerade rule for the pod network ({Reason}): the CNI bridge masquerades each pod")]
    private static partial void LogPerPodMasquerade(ILogger logger, string reason);
}
