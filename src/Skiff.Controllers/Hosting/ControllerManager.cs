using Microsoft.Extensions.Logging;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Hosting;

/// <summary>
/// The controller manager (upstream's <c>kube-controller-manager</c>) as a library: from a client configuration it builds
/// the typed, dynamic and discovery clients, one <see cref="Runtime.Manager"/> with leader election on the Lease
/// <c>kube-system/kube-controller-manager</c>, and registers every catalogue controller the selection enables with a
/// <see cref="ControllerContext"/>. It talks to the API server only through the client SDK. <see cref="RunAsync"/> runs
/// until cancelled or until leadership is lost (then the process should exit, as upstream's does).
/// </summary>
public sealed partial class ControllerManager : IDisposable
{
    private readonly ControlPlaneComponent _component;
    private readonly ILogger _logger;

    /// <summary>Builds the clients and the manager and registers the selected controllers; nothing runs yet.</summary>
    /// <exception cref="ArgumentException">The selection names an unknown controller.</exception>
    public ControllerManager(ControllerManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Enabled = BuiltInControllers.Select(options.Controllers);
        // Upstream's user agent: the API server names this process's field manager "kube-controller-manager" from it.
        _component = new ControlPlaneComponent(options, ControllerManagerOptions.LeaseName, UserAgent);
        var loggers = _component.LoggerFactory;
        _logger = loggers.CreateLogger("Skiff.ControllerManager");
        Dynamic = new DynamicClient(_component.Rest);
        Discovery = new DiscoveryClient(_component.Rest);
        var context = new ControllerContext
        {
            Manager = Manager,
            Dynamic = Dynamic,
            Discovery = Discovery,
            RootCaBundle = options.RootCaBundle,
            StorageDirectory = options.StorageDirectory,
            ServiceAccountPrivateKey = options.ServiceAccountPrivateKey,
            ClusterSigningCertificate = options.ClusterSigningCertificate,
            ClusterSigningKey = options.ClusterSigningKey,
            ClusterSigningDuration = options.ClusterSigningDuration,
            LoggerFactory = loggers,
        };
        foreach (var controller in Enabled)
        {
            controller.Register(context);
        }
    }

    /// <summary>
    /// The User-Agent every request carries (upstream's shape, <c>kube-controller-manager/VERSION (OS/ARCH) kubernetes/COMMIT</c>),
    /// so managedFields and audit name this component as they do upstream.
    /// </summary>
    public const string UserAgent = "kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/skiff";

    public ControllerManagerOptions Options { get; }

    /// <summary>The controllers registered, in catalogue order.</summary>
    public IReadOnlyList<ControllerDescriptor> Enabled { get; }

    /// <summary>The manager the controllers joined.</summary>
    public Manager Manager => _component.Manager;

    public Clientset Clientset => _component.Clientset;

    public DynamicClient Dynamic { get; }

    public DiscoveryClient Discovery { get; }

    /// <summary>This process's identity in the Lease.</summary>
    public string Identity => _component.Identity;

    /// <summary>
    /// Runs the manager. Returns after <paramref name="ct"/> is cancelled and everything stopped; throws
    /// <see cref="LeaderElectionLostException"/> when it returns because leadership was lost.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        LogStarting(Identity, Options.LeaderElect, string.Join(",", Enabled.Select(c => c.Name)));
        await _component.RunAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _component.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "controller manager {Identity} starting (leader-elect={LeaderElect}, controllers: {Controllers})")]
    private partial void LogStarting(string identity, bool leaderElect, string controllers);
}
