using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy;
using Skiff.Proxy.Nftables;

namespace Skiff.Components;

/// <summary>
/// kube-proxy as a component: connects (in <c>skiff up</c> as <c>system:kube-proxy</c>) and runs a <see cref="Proxier"/>.
/// Inside <c>skiff up</c> (<paramref name="embedded"/>) it is best effort: without root or nft it logs and serves nothing,
/// a taken healthz/metrics port turns those endpoints off, and stopping removes the table (the cluster's pods stop with
/// it). Standalone, those are start errors and the rules stay after a stop (upstream's behaviour; <c>--cleanup</c>
/// removes them).
/// </summary>
internal sealed partial class ProxyComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    ProxierOptions options,
    bool embedded,
    ILoggerFactory loggers) : Component("proxy", loggers.CreateLogger("Skiff.Proxy"))
{
    private Clientset? _client;
    private Proxier? _proxier;

    /// <summary>The running proxier (null when it could not run in <c>skiff up</c>).</summary>
    public Proxier? Proxier => _proxier;

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var missing = !OperatingSystem.IsLinux() || Environment.UserName != "root" ? "root on Linux" : !NftCommand.IsAvailable() ? "nft" : null;
        if (missing is not null)
        {
            if (embedded)
            {
                LogDisabled(Logger, missing);
                return;
            }

            throw new ComponentStartException($"kube-proxy needs {missing}");
        }

        try
        {
            _client = new Clientset(await connect(ct).ConfigureAwait(false));
            var opts = options with { LoggerFactory = loggers };
            try
            {
                _proxier = await Proxier.StartAsync(_client, opts, ct).ConfigureAwait(false);
            }
            catch (IOException e) when (embedded)
            {
                LogPortsTaken(Logger, options.HealthzPort, options.MetricsPort, e.Message);
                _proxier = await Proxier.StartAsync(_client, opts with { HealthzPort = 0, MetricsPort = 0 }, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start kube-proxy: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_proxier is not null)
        {
            await _proxier.DisposeAsync().ConfigureAwait(false);
            _proxier = null;
            if (embedded)
            {
                try
                {
                    await Proxier.CleanupAsync(options.Nftables, options.Nft, ct).ConfigureAwait(false);
                }
                catch (NftablesException e)
                {
                    LogCleanupFailed(Logger, e.Message);
                }
            }
        }

        _client?.Dispose();
        _client = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "kube-proxy needs {Missing}: Services are not programmed on this node")]
    private static partial void LogDisabled(ILogger logger, string missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kube-proxy's healthz port {Healthz} or metrics port {Metrics} is taken ({Reason}): serving neither")]
    private static partial void LogPortsTaken(ILogger logger, int healthz, int metrics, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot remove kube-proxy's rules: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string reason);
}
