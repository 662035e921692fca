using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.Cli;
using Skiff.Kubelet.Node;
using Skiff.Proxy;
using Skiff.Proxy.Nftables;

namespace Skiff.Components;

/// <summary>kube-proxy's part of the host: <c>skiff proxy</c>, and the proxy inside <c>skiff up</c> beside a real kubelet.</summary>
internal static partial class ComponentHost
{
    /// <summary>kube-proxy's user, as upstream's certificate names it.</summary>
    public const string ProxyUser = "system:kube-proxy";

    /// <summary><c>skiff proxy</c>: kube-proxy against the kubeconfig's API server (or, with <c>--cleanup</c>, remove its rules).</summary>
    public static async Task<int> RunProxyAsync(ProxySettings settings, CancellationToken ct)
    {
        var rules = new NftablesOptions { ClusterCidr = settings.ClusterCidr, ServiceCidr = settings.ServiceCidr, MasqueradeAll = settings.MasqueradeAll };
        if (settings.Cleanup)
        {
            try
            {
                await Proxier.CleanupAsync(rules, null, ct).ConfigureAwait(false);
                return 0;
            }
            catch (NftablesException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }

        var builder = CreateBuilder(settings.Verbosity, 1);
        var nodeName = settings.HostnameOverride ?? HostFacts.DefaultNodeName();
        AddComponent(builder.Services, sp => new ProxyComponent(
            _ => Task.FromResult(LoadClient(settings.Kubeconfig) with { Verbosity = settings.Verbosity }),
            new ProxierOptions
            {
                NodeName = nodeName,
                Nftables = rules,
                MinSyncPeriod = settings.MinSyncPeriod,
                SyncPeriod = settings.SyncPeriod,
                HealthzPort = settings.HealthzPort,
                MetricsPort = settings.MetricsPort,
            },
            false,
            sp.GetRequiredService<ILoggerFactory>()));
        return await RunAsync(builder, _ => Console.WriteLine($"kube-proxy of node {nodeName} is running. Press Ctrl-C to stop it."), ct).ConfigureAwait(false);
    }

    /// <summary>kube-proxy in <c>skiff up</c>, after the real kubelet, as <see cref="ProxyUser"/>.</summary>
    private static void AddEmbeddedProxy(IServiceCollection services, string nodeName) =>
        AddComponent(services, sp => new ProxyComponent(
            _ => Task.FromResult(sp.GetRequiredService<ApiServerComponent>().IssueClientConfig(ProxyUser, [], "kube-proxy.kubeconfig") with { Qps = 0, Burst = 100 }),
            new ProxierOptions { NodeName = nodeName },
            true,
            sp.GetRequiredService<ILoggerFactory>()));
}
