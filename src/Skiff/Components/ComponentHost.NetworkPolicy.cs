using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.Cli;
using Skiff.Kubelet.Node;
using Skiff.Proxy.NetworkPolicy;

namespace Skiff.Components;

/// <summary>The NetworkPolicy enforcer's part of the host: <c>skiff network-policy</c>, and the enforcer inside <c>skiff up</c> beside kube-proxy.</summary>
internal static partial class ComponentHost
{
    /// <summary>The enforcer's user (bound to <c>skiff:network-policy</c> in the bootstrap policy).</summary>
    public const string NetworkPolicyUser = "system:skiff-network-policy";

    /// <summary><c>skiff network-policy</c>: the enforcer against the kubeconfig's API server (or, with <c>--cleanup</c>, remove its table).</summary>
    public static async Task<int> RunNetworkPolicyAsync(NetworkPolicySettings settings, CancellationToken ct)
    {
        if (settings.Cleanup)
        {
            try
            {
                await NetworkPolicyEnforcer.CleanupAsync(NetworkPolicyRuleWriter.DefaultTable, null, ct).ConfigureAwait(false);
                return 0;
            }
            catch (Skiff.Proxy.Nftables.NftablesException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        var builder = CreateBuilder(settings.Verbosity, 1);
        var nodeName = settings.HostnameOverride ?? HostFacts.DefaultNodeName();
        AddComponent(builder.Services, sp => new NetworkPolicyComponent(
            _ => Task.FromResult(LoadClient(settings.Kubeconfig) with { Verbosity = settings.Verbosity }),
            new NetworkPolicyOptions { NodeName = nodeName, MinSyncPeriod = settings.MinSyncPeriod, SyncPeriod = settings.SyncPeriod },
            false,
            sp.GetRequiredService<ILoggerFactory>()));
        return await RunAsync(builder, _ => Console.WriteLine($"network policy enforcer of node {nodeName} is running. Press Ctrl-C to stop it."), ct).ConfigureAwait(false);
    }

    /// <summary>The enforcer in <c>skiff up</c>, after the real kubelet and kube-proxy, as <see cref="NetworkPolicyUser"/>.</summary>
    private static void AddEmbeddedNetworkPolicy(IServiceCollection services, string nodeName) =>
        AddComponent(services, sp => new NetworkPolicyComponent(
            _ => Task.FromResult(sp.GetRequiredService<ApiServerComponent>().IssueClientConfig(NetworkPolicyUser, [], "network-policy.kubeconfig") with { Qps = 0, Burst = 100 }),
            new NetworkPolicyOptions { NodeName = nodeName },
            true,
            sp.GetRequiredService<ILoggerFactory>()));
}
