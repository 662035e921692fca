using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy.NetworkPolicy;

namespace Skiff.Components;

/// <summary>
/// The NetworkPolicy enforcer as a component (in <c>skiff up</c> as <c>system:skiff-network-policy</c>), running a
/// <see cref="NetworkPolicyEnforcer"/>; best effort inside <c>skiff up</c> as every <see cref="NftablesComponent{TRunner}"/>.
/// </summary>
internal sealed class NetworkPolicyComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    NetworkPolicyOptions options,
    bool embedded,
    ILoggerFactory loggers)
    : NftablesComponent<NetworkPolicyEnforcer>("network-policy", "the network policy enforcer", "NetworkPolicies are not enforced on this node",
        connect, embedded, loggers.CreateLogger("Skiff.NetworkPolicy"))
{
    /// <summary>The running enforcer (null when it could not run in <c>skiff up</c>).</summary>
    public NetworkPolicyEnforcer? Enforcer => Runner;

    protected override Task<NetworkPolicyEnforcer> RunAsync(Clientset client, CancellationToken ct) =>
        NetworkPolicyEnforcer.StartAsync(client, options with { LoggerFactory = loggers }, ct);

    protected override Task CleanupAsync(CancellationToken ct) => NetworkPolicyEnforcer.CleanupAsync(options.TableName, options.Nft, ct);
}
