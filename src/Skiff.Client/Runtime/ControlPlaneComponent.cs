using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Runtime;

/// <summary>
/// The hosting a leader-elected control-plane component shares with the others (what upstream's
/// kube-controller-manager and kube-scheduler <c>Run</c> both do): one <see cref="RestClient"/> and
/// <see cref="Typed.Clientset"/> from the options' client configuration, and one <see cref="Runtime.Manager"/> electing
/// on the Lease <c>kube-system/&lt;lease&gt;</c>. The component adds its runnables to <see cref="Manager"/>;
/// <see cref="RunAsync"/> runs them until cancelled, or until the lease is lost (then
/// <see cref="LeaderElectionLostException"/>: the process should exit, as upstream's does).
/// </summary>
public sealed class ControlPlaneComponent : IDisposable
{
    /// <summary>The namespace of every control-plane Lease.</summary>
    public const string LeaseNamespace = "kube-system";

    /// <summary>
    /// Builds the clients and the manager; nothing runs yet. <paramref name="userAgent"/> (default: the client
    /// configuration's) names the component in managedFields and audit, as upstream's user agents do.
    /// </summary>
    public ControlPlaneComponent(IControlPlaneComponentOptions options, string leaseName, string? userAgent = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(leaseName);
        LeaseName = leaseName;
        LeaderElect = options.LeaderElect;
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var client = options.Client with { LoggerFactory = options.Client.LoggerFactory ?? LoggerFactory };
        Rest = new RestClient(userAgent is null ? client : client with { UserAgent = userAgent });
        Clientset = new Clientset(Rest);
        Manager = new Manager(Clientset, new ManagerOptions
        {
            LeaderElection = options.LeaderElect,
            LeaderElectionId = leaseName,
            LeaderElectionNamespace = LeaseNamespace,
            Identity = options.Identity,
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
            TimeProvider = options.TimeProvider,
            LoggerFactory = LoggerFactory,
        });
    }

    /// <summary>The Lease's name (in <see cref="LeaseNamespace"/>).</summary>
    public string LeaseName { get; }

    /// <summary>Whether the component runs only while holding the Lease.</summary>
    public bool LeaderElect { get; }

    /// <summary>The options' logger factory, or the null one.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The component's one REST client (disposed with this).</summary>
    public RestClient Rest { get; }

    public Clientset Clientset { get; }

    /// <summary>The manager the component's runnables join.</summary>
    public Manager Manager { get; }

    /// <summary>This process's identity in the Lease.</summary>
    public string Identity => Manager.Identity;

    /// <summary>
    /// Runs the manager. Returns after <paramref name="ct"/> is cancelled and everything stopped; throws
    /// <see cref="LeaderElectionLostException"/> when it returns because leadership was lost.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await Manager.RunAsync(ct).ConfigureAwait(false);
        if (!ct.IsCancellationRequested && LeaderElect)
        {
            throw new LeaderElectionLostException($"{Identity} lost the lease {LeaseNamespace}/{LeaseName}");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Clientset.Dispose();
        Rest.Dispose();
    }
}
