using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Hosting;

/// <summary>
/// The scheduler (upstream's <c>kube-scheduler</c>) as a library: from a client configuration it builds the clients,
/// one <see cref="Runtime.Manager"/> with leader election on the Lease <c>kube-system/kube-scheduler</c>, the profiles
/// and the <see cref="Scheduler"/> loop. <see cref="RunAsync"/> runs until cancelled or until leadership is lost (then
/// it throws <see cref="InvalidOperationException"/>; the process should exit, as upstream's does).
/// </summary>
public sealed partial class KubeScheduler : IDisposable
{
    private readonly RestClient _rest;
    private readonly ILogger _logger;

    /// <summary>Builds the clients, profiles and the scheduler; nothing runs yet.</summary>
    /// <exception cref="ArgumentException">A profile enables an unknown plugin, or two profiles share a name.</exception>
    public KubeScheduler(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Skiff.Scheduler");
        _rest = new RestClient(options.Client with { LoggerFactory = options.Client.LoggerFactory ?? loggers });
        Clientset = new Clientset(_rest);
        Manager = new Manager(Clientset, new ManagerOptions
        {
            LeaderElection = options.LeaderElect,
            LeaderElectionId = SchedulerOptions.LeaseName,
            LeaderElectionNamespace = "kube-system",
            Identity = options.Identity,
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
            TimeProvider = options.TimeProvider,
            LoggerFactory = loggers,
        });
        if (options.Profiles.Select(p => p.SchedulerName).Distinct(StringComparer.Ordinal).Count() != options.Profiles.Count)
        {
            throw new ArgumentException("profiles must have distinct schedulerNames", nameof(options));
        }

        var cluster = new InformerClusterLister(Manager.Informers);
        Scheduler = new Scheduler(Manager, options.Profiles.Select(p => PluginRegistry.Build(p, Clientset, cluster, options.OutOfTreePlugins)), options);
        Manager.Add(Scheduler);
    }

    public SchedulerOptions Options { get; }

    public Manager Manager { get; }

    public Clientset Clientset { get; }

    public Scheduler Scheduler { get; }

    /// <summary>This process's identity in the Lease.</summary>
    public string Identity => Manager.Identity;

    /// <summary>Runs until <paramref name="ct"/> is cancelled; throws <see cref="InvalidOperationException"/> when leadership was lost.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        LogStarting(Identity, Options.LeaderElect);
        await Manager.RunAsync(ct).ConfigureAwait(false);
        if (!ct.IsCancellationRequested && Options.LeaderElect)
        {
            throw new InvalidOperationException($"{Identity} lost the lease kube-system/{SchedulerOptions.LeaseName}");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Clientset.Dispose();
        _rest.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler {Identity} starting (leader-elect={LeaderElect})")]
    private partial void LogStarting(string identity, bool leaderElect);
}
