namespace Skiff.Kubelet.Server;

/// <summary>
/// What the kubelet's HTTP server (logs, exec, attach, port-forward) needs from the pod workers: the runtime ids of a
/// pod's sandbox and containers, and the runtime's streaming URLs (CRI <c>Exec</c>, <c>Attach</c>, <c>PortForward</c>
/// answer with a URL on the runtime's streaming server, which the kubelet proxies to).
/// </summary>
public interface IPodRuntimeLookup
{
    /// <summary>The pod running on this node, or null when it has none (404).</summary>
    PodRuntimeInfo? Find(string ns, string name);

    /// <summary>CRI Exec: the streaming URL for a command in a running container.</summary>
    Task<Uri> ExecUrlAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct);

    /// <summary>CRI Attach: the streaming URL to attach to a running container.</summary>
    Task<Uri> AttachUrlAsync(string containerId, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct);

    /// <summary>
    /// Whether the runtime's streaming server speaks <c>v5.channel.k8s.io</c>, whose close signal ends a command's
    /// stdin over WebSocket. containerd 1.6/1.7 stop at v4; their SPDY streams half-close instead.
    /// </summary>
    bool StreamingSupportsClose => true;

    /// <summary>CRI PortForward: the streaming URL for the sandbox's ports.</summary>
    Task<Uri> PortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct);
}

/// <summary>A pod on this node as its runtime knows it.</summary>
/// <param name="Uid">The pod's uid.</param>
/// <param name="SandboxId">The CRI sandbox id (null before it exists).</param>
/// <param name="LogDirectory">The pod's log directory (<see cref="Logs.PodLogPaths.PodDirectory"/>).</param>
/// <param name="Containers">Container name → the id of its current (last started) container, null if none yet.</param>
public sealed record PodRuntimeInfo(string Uid, string? SandboxId, string LogDirectory, IReadOnlyDictionary<string, string?> Containers)
{
    /// <summary>The ids of the pod's containers known to have exited (a log follower stops when its container is among them).</summary>
    public IReadOnlySet<string> Exited { get; init; } = new HashSet<string>();
}
