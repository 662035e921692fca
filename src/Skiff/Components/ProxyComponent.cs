using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy;

namespace Skiff.Components;

/// <summary>
/// kube-proxy as a component (in <c>skiff up</c> as <c>system:kube-proxy</c>), running a <see cref="Proxier"/>; best
/// effort inside <c>skiff up</c> as every <see cref="NftablesComponent{TRunner}"/>, where a taken healthz/metrics port
/// also just turns those endpoints off.
/// </summary>
internal sealed partial class ProxyComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    ProxierOptions options,
    bool embedded,
    ILoggerFactory loggers)
    : NftablesComponent<Proxier>("proxy", "kube-proxy", "Services are not programmed on this node", connect, embedded, loggers.CreateLogger("Skiff.Proxy"))
{
    /// <summary>The running proxier (null when it could not run in <c>skiff up</c>).</summary>
    public Proxier? Proxier => Runner;

    protected override async Task<Proxier> RunAsync(Clientset client, CancellationToken ct)
    {
        var opts = options with { LoggerFactory = loggers };
        try
        {
            return await Proxier.StartAsync(client, opts, ct).ConfigureAwait(false);
        }
        catch (IOException e) when (Embedded)
        {
            LogPortsTaken(Logger, options.HealthzPort, options.MetricsPort, e.Message);
            return await Proxier.StartAsync(client, opts with { HealthzPort = 0, MetricsPort = 0 }, ct).ConfigureAwait(false);
        }
    }

    protected override Task CleanupAsync(CancellationToken ct) => Proxier.CleanupAsync(options.Nftables, options.Nft, ct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kube-proxy's healthz port {Healthz} or metrics port {Metrics} is taken ({Reason}): serving neither")]
    private static partial void LogPortsTaken(ILogger logger, int healthz, int metrics, string reason);
}
