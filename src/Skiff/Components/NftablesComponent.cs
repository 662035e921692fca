using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Proxy.Nftables;

namespace Skiff.Components;

/// <summary>
/// A component that programs nftables from the API (kube-proxy, the NetworkPolicy enforcer): it connects with its own
/// identity and runs a <typeparamref name="TRunner"/>. Inside <c>skiff up</c> (<paramref name="embedded"/>) it is best
/// effort: without root or nft it logs that its function is off and serves nothing, and stopping removes its table (the
/// cluster's pods stop with it). Standalone, those are start errors and the rules stay after a stop (upstream's
/// behaviour; <c>--cleanup</c> removes them).
/// </summary>
/// <typeparam name="TRunner">The running programmer, disposed on stop.</typeparam>
internal abstract partial class NftablesComponent<TRunner>(
    string name,
    string displayName,
    string disabledEffect,
    Func<CancellationToken, Task<ClientConfig>> connect,
    bool embedded,
    ILogger logger) : Component(name, logger)
    where TRunner : class, IAsyncDisposable
{
    private Clientset? _client;
    private TRunner? _runner;

    /// <summary>The running programmer (null when it could not run in <c>skiff up</c>, or before start).</summary>
    protected TRunner? Runner => _runner;

    /// <summary>Whether this runs inside <c>skiff up</c> (best effort) rather than standalone.</summary>
    protected bool Embedded => embedded;

    /// <summary>Starts the programmer with a connected client.</summary>
    protected abstract Task<TRunner> RunAsync(Clientset client, CancellationToken ct);

    /// <summary>Removes the component's nftables table (after an embedded stop).</summary>
    protected abstract Task CleanupAsync(CancellationToken ct);

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var missing = !OperatingSystem.IsLinux() || Environment.UserName != "root" ? "root on Linux" : !NftCommand.IsAvailable() ? "nft" : null;
        if (missing is not null)
        {
            if (embedded)
            {
                LogDisabled(Logger, displayName, missing, disabledEffect);
                return;
            }

            throw new ComponentStartException($"{displayName} needs {missing}");
        }

        try
        {
            _client = new Clientset(await connect(ct).ConfigureAwait(false));
            _runner = await RunAsync(_client, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or Skiff.Client.Rest.KubernetesApiException)
        {
            await StopCoreAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ComponentStartException($"cannot start {displayName}: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync().ConfigureAwait(false);
            _runner = null;
            if (embedded)
            {
                try
                {
                    await CleanupAsync(ct).ConfigureAwait(false);
                }
                catch (NftablesException e)
                {
                    LogCleanupFailed(Logger, displayName, e.Message);
                }
            }
        }

        _client?.Dispose();
        _client = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Component} needs {Missing}: {Effect}")]
    private static partial void LogDisabled(ILogger logger, string component, string missing, string effect);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot remove {Component}'s rules: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string component, string reason);
}
