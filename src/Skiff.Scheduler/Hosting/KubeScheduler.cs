using Microsoft.Extensions.Logging;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Hosting;

/// <summary>
/// The scheduler (upstream's <c>kube-scheduler</c>) as a library: from a client configuration it builds the clients,
/// one <see cref="Runtime.Manager"/> with leader election on the Lease <c>kube-system/kube-scheduler</c> (a
/// <see cref="ControlPlaneComponent"/>), the profiles and the <see cref="Scheduler"/> loop. <see cref="RunAsync"/> runs
/// until cancelled or until leadership is lost (then it throws <see cref="LeaderElectionLostException"/>, an
/// <see cref="InvalidOperationException"/>; the process should exit, as upstream's does).
/// </summary>
public sealed partial class KubeScheduler : IDisposable
{
    private readonly ControlPlaneComponent _component;
    private readonly ILogger _logger;

    /// <summary>Builds the clients, profiles and the scheduler; nothing runs yet.</summary>
    /// <exception cref="ArgumentException">A profile enables an unknown plugin, or two profiles share a name.</exception>
    public KubeScheduler(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _component = new ControlPlaneComponent(options, SchedulerOptions.LeaseName);
        _logger = _component.LoggerFactory.CreateLogger("Skiff.Scheduler");
        if (options.Profiles.Select(p => p.SchedulerName).Distinct(StringComparer.Ordinal).Count() != options.Profiles.Count)
        {
            throw new ArgumentException("profiles must have distinct schedulerNames", nameof(options));
        }

        var cluster = new InformerClusterLister(Manager.Informers);
        Scheduler = new Scheduler(Manager, options.Profiles.Select(p => PluginRegistry.Build(p, Clientset, cluster, options.OutOfTreePlugins)), options);
        Manager.Add(Scheduler);
    }

    public SchedulerOptions Options { get; }

    public Manager Manager => _component.Manager;

    public Clientset Clientset => _component.Clientset;

    public Scheduler Scheduler { get; }

    /// <summary>This process's identity in the Lease.</summary>
    public string Identity => _component.Identity;

    /// <summary>Runs until <paramref name="ct"/> is cancelled; throws <see cref="LeaderElectionLostException"/> when leadership was lost.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        LogStarting(Identity, Options.LeaderElect);
        await _component.RunAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _component.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler {Identity} starting (leader-elect={LeaderElect})")]
    private partial void LogStarting(string identity, bool leaderElect);
}
