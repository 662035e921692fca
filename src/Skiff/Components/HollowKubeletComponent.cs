using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Kubelet.Hollow;

namespace Skiff.Components;

/// <summary>
/// Hollow nodes (<see cref="HollowNodeSet"/>) as a component. Start connects (through <paramref name="connect"/>: in
/// <c>skiff up</c> a fresh client certificate for <see cref="ComponentHost.HollowNodeUser"/> in group
/// <see cref="ComponentHost.HollowNodesGroup"/> over loopback HTTPS, which the nodes' informers read with while each node
/// writes as <c>system:node:&lt;name&gt;</c> over the same connections (<see cref="HollowNodeIdentities"/>); standalone, a
/// kubeconfig), then registers the nodes and returns once they are
/// registered and watching their pods. Stop ends the loops; the Nodes and Leases stay, as a stopped kubelet leaves them.
/// </summary>
internal sealed class HollowKubeletComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    HollowNodeOptions options,
    ILoggerFactory loggers) : Component("kubelet", loggers.CreateLogger("Skiff.Kubelet"))
{
    private Clientset? _client;
    private HollowNodeSet? _nodes;

    /// <summary>The running hollow nodes (after start).</summary>
    public HollowNodeSet Nodes => _nodes ?? throw new InvalidOperationException("the hollow kubelet has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var config = await connect(ct).ConfigureAwait(false);
        _client = new Clientset(config);
        try
        {
            _nodes = new HollowNodeSet(_client, options with { LoggerFactory = loggers });
        }
        catch (ArgumentException e)
        {
            throw new ComponentStartException(e.Message, e);
        }

        try
        {
            await _nodes.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or Skiff.Client.Rest.KubernetesApiException)
        {
            throw new ComponentStartException($"cannot register the hollow nodes: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_nodes is not null)
        {
            await _nodes.DisposeAsync().ConfigureAwait(false);
        }

        _client?.Dispose();
    }
}
