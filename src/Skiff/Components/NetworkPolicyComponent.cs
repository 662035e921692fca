using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy.NetworkPolicy;
using Skiff.Proxy.Nftables;

namespace Skiff.Components;

/// <summary>
/// The NetworkPolicy enforcer as a component: connects (in <c>skiff up</c> as <c>system:skiff-network-policy</c>) and
/// runs a <see cref="NetworkPolicyEnforcer"/>. Inside <c>skiff up</c> (<paramref name="embedded"/>) it is best effort
/// like kube-proxy: without root or nft it logs that policies are not enforced, and stopping removes its table.
/// Standalone those are start errors and the rules stay after a stop (<c>--cleanup</c> removes them).
/// </summary>
internal sealed partial class NetworkPolicyComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    NetworkPolicyOptions options,
    bool embedded,
    ILoggerFactory loggers) : Component("network-policy", loggers.CreateLogger("Skiff.NetworkPolicy"))
{
    private Clientset? _client;
    private NetworkPolicyEnforcer? _enforcer;

    /// <summary>The running enforcer (null when it could not run in <c>skiff up</c>).</summary>
    public NetworkPolicyEnforcer? Enforcer => _enforcer;

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

            throw new ComponentStartException($"the network policy enforcer needs {missing}");
        }

        try
        {
            _client = new Clientset(await connect(ct).ConfigureAwait(false));
            _enforcer = await NetworkPolicyEnforcer.StartAsync(_client, options with { LoggerFactory = loggers }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start the network policy enforcer: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_enforcer is not null)
        {
            await _enforcer.DisposeAsync().ConfigureAwait(false);
            _enforcer = null;
            if (embedded)
            {
                try
                {
                    await NetworkPolicyEnforcer.CleanupAsync(options.TableName, options.Nft, ct).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "the network policy enforcer needs {Missing}: NetworkPolicies are not enforced on this node")]
    private static partial void LogDisabled(ILogger logger, string missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot remove the network policy rules: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string reason);
}
