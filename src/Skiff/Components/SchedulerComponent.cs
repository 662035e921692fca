using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Components;

/// <summary>
/// The scheduler (<see cref="KubeScheduler"/>) as a component. Start connects (through <paramref name="connect"/>: in
/// <c>skiff up</c> a fresh <c>system:kube-scheduler</c> client certificate over loopback HTTPS; standalone, a
/// kubeconfig), builds the profiles and starts the scheduler, waiting briefly for it to lead (Lease
/// <c>kube-system/kube-scheduler</c>); see <see cref="LeaderElectedComponent{T}"/>.
/// </summary>
internal sealed class SchedulerComponent(
    Func<CancellationToken, Task<ClientConfig>> connect,
    Func<ClientConfig, SchedulerOptions> configure,
    IHostApplicationLifetime lifetime,
    ExitCode exit,
    ILoggerFactory loggers) : LeaderElectedComponent<KubeScheduler>("scheduler", loggers.CreateLogger("Skiff.Scheduler"), lifetime, exit)
{
    /// <summary>The running scheduler (after start).</summary>
    public KubeScheduler Scheduler => Instance ?? throw new InvalidOperationException("the scheduler has not started");

    protected override async Task<KubeScheduler> CreateAsync(CancellationToken ct)
    {
        var client = await connect(ct).ConfigureAwait(false);
        return new KubeScheduler(configure(client) with { LoggerFactory = loggers });
    }

    protected override Task Elected(KubeScheduler instance) => instance.Manager.Elected;

    protected override Task RunInstanceAsync(KubeScheduler instance, CancellationToken ct) => instance.RunAsync(ct);
}
