using k8s.Models;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// The kubelet's prober (upstream <c>pkg/kubelet/prober</c> <c>Manager</c>): one worker per (pod, container, probe kind)
/// running liveness, readiness and startup probes with upstream's semantics, results cached per container.
/// The pod workers call <see cref="Sync"/> on every pod sync with the containers that run now, read
/// <see cref="IsReady"/>/<see cref="IsStarted"/> when they build the pod's status, restart a container when
/// <see cref="Unhealthy"/> fires, and re-sync the pod's status when <see cref="Changed"/> fires.
/// Thread-safe. Disposing stops every worker.
/// </summary>
public interface IProbeManager : IAsyncDisposable
{
    /// <summary>Raised (on a worker thread) when a liveness or startup probe failed failureThreshold times in a row.</summary>
    event Action<ProbeFailure>? Unhealthy;

    /// <summary>Raised (on a worker thread) with the pod's uid when a readiness or startup result changed.</summary>
    event Action<string>? Changed;

    /// <summary>
    /// Starts workers for the probes of the pod's containers that have none yet and hands every worker the containers
    /// that run now. A container whose id changed starts over (initialDelaySeconds, not ready, not started, counts
    /// reset); a container missing from <paramref name="running"/> is not ready and not started, and its workers idle
    /// until it runs again (as upstream, workers live as long as the pod: call <see cref="Remove"/> when it is gone).
    /// <paramref name="podIp"/> is the target of httpGet, tcpSocket and grpc probes (httpGet's and tcpSocket's
    /// <c>host</c> field overrides it).
    /// </summary>
    void Sync(V1Pod pod, string? podIp, IReadOnlyList<RunningContainer> running);

    /// <summary>Stops every worker of the pod and forgets its results.</summary>
    void Remove(string podUid);

    /// <summary>
    /// Whether the container is ready: true when it has no readiness probe (and, if it has a startup probe, it has
    /// started); otherwise its last readiness result (false until the first success).
    /// </summary>
    bool IsReady(string podUid, string containerName);

    /// <summary>Whether the container has started: true when it has no startup probe, else after its first success.</summary>
    bool IsStarted(string podUid, string containerName);
}

/// <summary>A container running now, as the prober needs it.</summary>
/// <param name="Name">The container's name in the pod spec.</param>
/// <param name="Id">The runtime's container id (exec probes run in it).</param>
/// <param name="StartedAt">When it started (initialDelaySeconds counts from here).</param>
public sealed record RunningContainer(string Name, string Id, DateTimeOffset StartedAt);

/// <summary>A liveness or startup probe that failed: the kubelet kills the container (with the probe's
/// terminationGracePeriodSeconds if set) and restarts it according to the pod's restartPolicy.</summary>
/// <param name="PodUid">The pod.</param>
/// <param name="ContainerName">The container.</param>
/// <param name="ContainerId">The runtime container id the probe ran against.</param>
/// <param name="Kind">"Liveness" or "Startup".</param>
/// <param name="Message">The failing probe's output. The prober has already recorded the pod's <c>Unhealthy</c> event
/// ("Liveness probe failed: &lt;output&gt;"); the kubelet records its own <c>Killing</c> one
/// ("Container &lt;name&gt; failed liveness probe, will be restarted").</param>
public sealed record ProbeFailure(string PodUid, string ContainerName, string ContainerId, string Kind, string Message)
{
    /// <summary>The probe's own terminationGracePeriodSeconds (upstream: it overrides the pod's when a liveness or
    /// startup probe kills the container); null when the probe sets none.</summary>
    public long? TerminationGracePeriodSeconds { get; init; }
}
