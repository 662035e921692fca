using Microsoft.Extensions.Logging;
using Skiff.Client.Config;

namespace Skiff.Client.Runtime;

/// <summary>
/// What every leader-elected control-plane component's options carry (upstream's shared
/// <c>--kubeconfig</c> and <c>--leader-elect*</c> flags of kube-controller-manager and kube-scheduler), read by
/// <see cref="ControlPlaneComponent"/>.
/// </summary>
public interface IControlPlaneComponentOptions
{
    /// <summary>How to reach the API server, and as whom.</summary>
    ClientConfig Client { get; }

    /// <summary>Run only while holding the component's Lease (upstream's <c>--leader-elect</c>, default true).</summary>
    bool LeaderElect { get; }

    /// <summary>This process's identity in the Lease (default: host name and a random suffix, as upstream).</summary>
    string? Identity { get; }

    /// <summary>Upstream's <c>--leader-elect-lease-duration</c> (15 s).</summary>
    TimeSpan LeaseDuration { get; }

    /// <summary>Upstream's <c>--leader-elect-renew-deadline</c> (10 s).</summary>
    TimeSpan RenewDeadline { get; }

    /// <summary>Upstream's <c>--leader-elect-retry-period</c> (2 s).</summary>
    TimeSpan RetryPeriod { get; }

    ILoggerFactory? LoggerFactory { get; }

    TimeProvider TimeProvider { get; }
}
