using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;

namespace Skiff.Controllers;

/// <summary>
/// What a built-in controller is given when the controller manager registers it (upstream's
/// <c>ControllerContext</c> in <c>cmd/kube-controller-manager/app</c>): the manager whose shared informers, event
/// recorders and run loop it joins, and the clients it may use. A controller never touches storage; everything goes
/// through these clients. Registration only wires things up (informer handlers, <see cref="Manager.Add"/>); nothing
/// runs until the manager runs.
/// </summary>
public sealed class ControllerContext
{
    /// <summary>The manager the controller joins: shared typed informers, leader election, the run loop.</summary>
    public required Manager Manager { get; init; }

    /// <summary>The dynamic client, for controllers that work on every resource (namespace, garbage collector).</summary>
    public required DynamicClient Dynamic { get; init; }

    /// <summary>Discovery, for controllers that work on every resource.</summary>
    public required DiscoveryClient Discovery { get; init; }

    /// <summary>The cluster CA bundle (PEM) the root-ca-cert-publisher publishes; null when unknown.</summary>
    public string? RootCaBundle { get; init; }

    /// <summary>
    /// The service-account RSA private key (PEM) legacy token Secrets are signed with (upstream's
    /// <c>--service-account-private-key-file</c>); null: the <c>serviceaccount-token</c> controller does not run.
    /// </summary>
    public string? ServiceAccountPrivateKey { get; init; }

    /// <summary>
    /// Where the local-path provisioner keeps its volumes (in <c>skiff up</c>: <c>DATA_DIR/storage</c>); null: a
    /// <c>skiff/storage</c> directory under the user's local application data.
    /// </summary>
    public string? StorageDirectory { get; init; }

    /// <summary>
    /// The CA certificate (PEM) the <c>csrsigning</c> controller signs with (upstream's
    /// <c>--cluster-signing-cert-file</c>); null: the controller does not run.
    /// </summary>
    public string? ClusterSigningCertificate { get; init; }

    /// <summary>The CA's private key (PEM, upstream's <c>--cluster-signing-key-file</c>); null: csrsigning does not run.</summary>
    public string? ClusterSigningKey { get; init; }

    /// <summary>The longest validity csrsigning issues (upstream's <c>--cluster-signing-duration</c>, default 8760h).</summary>
    public TimeSpan ClusterSigningDuration { get; init; } = TimeSpan.FromDays(365);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The typed clients (the manager's).</summary>
    public Clientset Clientset => Manager.Clientset;

    /// <summary>The clock every controller reads (the manager's).</summary>
    public TimeProvider TimeProvider => Manager.Options.TimeProvider;

    /// <summary>
    /// The skeleton of a hand-wired controller (upstream's <c>workqueue.NewTypedRateLimitingQueueWithConfig</c> plus
    /// <c>Run(workers)</c>): <paramref name="workers"/> workers calling <paramref name="reconciler"/>, draining a
    /// rate-limited queue on <see cref="TimeProvider"/> named <paramref name="queueName"/> (default
    /// <paramref name="name"/>; the queue metrics' name) with <paramref name="limiter"/> (default client-go's
    /// <c>DefaultControllerRateLimiter</c>). The caller adds its informer handlers and <see cref="Manager.Add"/>s it.
    /// </summary>
    public Controller NewController(string name, IReconciler reconciler, int workers, IRateLimiter<ReconcileRequest>? limiter = null, string? queueName = null)
    {
        var queue = new RateLimitingQueue<ReconcileRequest>(
            limiter ?? RateLimiters.DefaultController<ReconcileRequest>(TimeProvider),
            new WorkQueueOptions { Name = queueName ?? name, TimeProvider = TimeProvider });
        return new Controller(name, reconciler, queue, workers, LoggerFactory);
    }
}
