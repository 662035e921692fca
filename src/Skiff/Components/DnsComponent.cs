using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Dns;
using Skiff.Kubelet.Node;

namespace Skiff.Components;

/// <summary>
/// The cluster DNS (<see cref="ClusterDns"/>) as a component: start connects (in <c>skiff up</c> with a certificate for
/// <c>system:kube-dns</c>; standalone, a kubeconfig), syncs the zone, binds the server and publishes
/// <c>kube-system/kube-dns</c> with endpoints at the address pods reach it on (with a wildcard bind address: the CNI
/// bridge's gateway on a real node — a wildcard UDP socket answers from the address of the route back, so that is the
/// only address whose replies a pod, and kube-proxy's conntrack, accept — else the node's InternalIP). A bind failure is a start failure when the address was asked for (<paramref name="required"/>);
/// for <c>skiff up</c>'s default (:53, needs root and a free port) it is a warning and the cluster runs without DNS.
/// </summary>
internal sealed partial class DnsComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    Func<ClientConfig, ClusterDnsOptions> configure,
    bool required,
    ILoggerFactory loggers) : Component("dns", loggers.CreateLogger("Skiff.Dns"))
{
    private ClusterDns? _dns;

    /// <summary>The running DNS (after start; null when it could not bind and was not required).</summary>
    public ClusterDns? Dns => _dns;

    /// <summary>The first address of <paramref name="podCidr"/>: the CNI bridge's gateway, which pods reach the node on.</summary>
    public static string GatewayOf(string podCidr)
    {
        var network = System.Net.IPNetwork.Parse(podCidr);
        var bytes = network.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new System.Net.IPAddress(bytes).ToString();
    }

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var options = configure(await connect(ct).ConfigureAwait(false)) with { LoggerFactory = loggers };
        var dns = new ClusterDns(options);
        try
        {
            await dns.StartAsync(HostFacts.InternalIp(), ct).ConfigureAwait(false);
            _dns = dns;
        }
        catch (SocketException e)
        {
            await dns.DisposeAsync().ConfigureAwait(false);
            if (required)
            {
                throw new ComponentStartException($"cannot listen for DNS on {options.Bind}: {e.Message}", e);
            }

            LogDisabled(Logger, options.Bind.ToString(), e.Message);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_dns is not null)
        {
            await _dns.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster DNS disabled: cannot listen on {Bind}: {Reason} (pass --cluster-dns-bind ADDR:PORT)")]
    private static partial void LogDisabled(ILogger logger, string bind, string reason);
}
