using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Hosting;

/// <summary>How a <see cref="ControllerManager"/> connects, which controllers it runs and how it elects a leader.</summary>
public sealed record ControllerManagerOptions : IControlPlaneComponentOptions
{
    /// <summary>The Lease upstream's kube-controller-manager elects on (in <c>kube-system</c>).</summary>
    public const string LeaseName = "kube-controller-manager";

    /// <summary>How to reach the API server, and as whom (in <c>skiff up</c>: <c>system:kube-controller-manager</c>).</summary>
    public required ClientConfig Client { get; init; }

    /// <summary>Upstream's <c>--controllers</c> selection (<c>*</c>, <c>foo</c>, <c>-foo</c>); empty means <c>*</c>.</summary>
    public IReadOnlyList<string> Controllers { get; init; } = [];

    /// <summary>Run the controllers only while holding the Lease <c>kube-system/kube-controller-manager</c> (upstream's <c>--leader-elect</c>, default true).</summary>
    public bool LeaderElect { get; init; } = true;

    /// <summary>This process's identity in the Lease (default: host name and a random suffix, as upstream).</summary>
    public string? Identity { get; init; }

    /// <summary>Upstream's <c>--leader-elect-lease-duration</c> (15 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Upstream's <c>--leader-elect-renew-deadline</c> (10 s).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upstream's <c>--leader-elect-retry-period</c> (2 s).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The cluster CA bundle (PEM) the root-ca-cert-publisher publishes; null when unknown.</summary>
    public string? RootCaBundle { get; init; }

    /// <summary>The service-account private key PEM (see <see cref="ControllerContext.ServiceAccountPrivateKey"/>).</summary>
    public string? ServiceAccountPrivateKey { get; init; }

    /// <summary>Where the local-path provisioner keeps its volumes (see <see cref="ControllerContext.StorageDirectory"/>).</summary>
    public string? StorageDirectory { get; init; }

    /// <summary>The CA certificate (PEM) csrsigning signs with; null: csrsigning does not run.</summary>
    public string? ClusterSigningCertificate { get; init; }

    /// <summary>The signing CA's private key (PEM).</summary>
    public string? ClusterSigningKey { get; init; }

    /// <summary>The longest validity csrsigning issues (upstream <c>--cluster-signing-duration</c>).</summary>
    public TimeSpan ClusterSigningDuration { get; init; } = TimeSpan.FromDays(365);

    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
