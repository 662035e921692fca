using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Skiff.Components;

/// <summary>
/// One component of the binary as a hosted service. The generic host starts components in the order they were added
/// and stops them in reverse; each stop is given <see cref="GracePeriod"/> before the host moves on to the next
/// component. Start and stop are logged as <c>starting/started/stopping/stopped NAME</c>.
/// </summary>
internal abstract partial class Component(string name, ILogger logger) : IHostedService
{
    /// <summary>How long a component may take to stop.</summary>
    public static TimeSpan GracePeriod { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The component's name in the log (storage, apiserver, controller-manager…).</summary>
    public string Name => name;

    protected ILogger Logger => logger;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(logger, name);
        await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(logger, name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(logger, name);
        try
        {
            await StopCoreAsync(cancellationToken).WaitAsync(GracePeriod, cancellationToken).ConfigureAwait(false);
            LogStopped(logger, name);
        }
        catch (TimeoutException)
        {
            LogGraceExceeded(logger, name, GracePeriod.TotalSeconds);
        }
    }

    protected abstract Task StartCoreAsync(CancellationToken ct);

    protected abstract Task StopCoreAsync(CancellationToken ct);

    [LoggerMessage(Level = LogLevel.Debug, Message = "starting {Component}")]
    private static partial void LogStarting(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Information, Message = "started {Component}")]
    private static partial void LogStarted(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Debug, Message = "stopping {Component}")]
    private static partial void LogStopping(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped {Component}")]
    private static partial void LogStopped(ILogger logger, string component);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Component} did not stop within {Seconds} s; moving on")]
    private static partial void LogGraceExceeded(ILogger logger, string component, double seconds);
}
