using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// The kubelet's prober (upstream <c>pkg/kubelet/prober</c>): one <see cref="ProbeWorker"/> per (pod, container, probe
/// kind) for app containers and sidecars (restartable init containers), each caching its result per container id.
/// <para>Semantics beyond <see cref="IProbeManager"/>'s contract, as upstream: a worker lives as long as its pod is
/// synced with that probe, across container restarts (a container missing from <c>running</c> keeps its worker idle,
/// not ready and not started, until it runs again under a new id); a pod with a deletionTimestamp gets no new liveness or
/// startup workers and its running ones end with success; readiness results are reset to "not ready" for each new
/// container; <see cref="IsReady"/> triggers an immediate readiness probe while the container is not ready yet (see
/// <see cref="ProbeManagerOptions.TriggerReadinessOnStatusRead"/>).</para>
/// </summary>
public sealed partial class ProbeManager : IProbeManager
{
    private readonly Dictionary<ProbeKey, ProbeWorker> _workers = [];
    private readonly Lock _lock = new();
    private readonly ProbeManagerOptions _options;
    private readonly HttpGetProbe _http;
    private readonly ILogger _logger;
    private bool _disposed;

    /// <summary>A manager running exec probes through <paramref name="exec"/>; its clock starts now (the jitter window).</summary>
    public ProbeManager(IContainerExec exec, ProbeManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(exec);
        _options = options ?? new ProbeManagerOptions();
        Time = _options.TimeProvider;
        Started = Time.GetUtcNow();
        _http = new HttpGetProbe(Time);
        Prober = new ContainerProber(exec, _http, Time, _options.Events);
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Kubelet.Prober");
    }

    /// <inheritdoc />
    public event Action<ProbeFailure>? Unhealthy;

    /// <inheritdoc />
    public event Action<string>? Changed;

    /// <summary>Raised after every pass of a worker's loop, once its results are cached; for tests that step a fake clock.</summary>
    internal event Action<ProbePass>? Passed;

    internal TimeProvider Time { get; }

    internal DateTimeOffset Started { get; }

    internal ContainerProber Prober { get; }

    /// <summary>The number of live workers.</summary>
    internal int WorkerCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Sync(V1Pod pod, string? podIp, IReadOnlyList<RunningContainer> running)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(running);
        var uid = pod.Metadata?.Uid ?? throw new ArgumentException("the pod has no uid", nameof(pod));
        var deleting = pod.Metadata.DeletionTimestamp is not null;
        var wanted = new HashSet<ProbeKey>();
        var started = new List<ProbeWorker>();
        var stopped = new List<ProbeWorker>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var c in ProbedContainers(pod.Spec))
            {
                var target = new WorkerTarget(pod, podIp, running.FirstOrDefault(r => r.Name == c.Name));
                foreach (var (kind, probe) in ProbesOf(c))
                {
                    var key = new ProbeKey(uid, c.Name, kind);
                    if (_workers.TryGetValue(key, out var worker))
                    {
                        worker.Target = target;
                        wanted.Add(key);
                    }
                    else if (!deleting || kind == ProbeKind.Readiness)
                    {
                        worker = new ProbeWorker(this, key, c, probe, target);
                        _workers[key] = worker;
                        started.Add(worker);
                        wanted.Add(key);
                    }
                }
            }

            foreach (var (key, worker) in _workers.Where(kv => kv.Key.PodUid == uid && !wanted.Contains(kv.Key)).ToList())
            {
                _workers.Remove(key);
                stopped.Add(worker);
            }
        }

        started.ForEach(w => w.Start());
        stopped.ForEach(w => _ = w.StopAsync());
    }

    /// <inheritdoc />
    public void Remove(string podUid)
    {
        List<ProbeWorker> stopped;
        lock (_lock)
        {
            stopped = [.. _workers.Where(kv => kv.Key.PodUid == podUid).Select(kv => kv.Value)];
            stopped.ForEach(w => _workers.Remove(w.Key));
        }

        stopped.ForEach(w => _ = w.StopAsync());
    }

    /// <inheritdoc />
    public bool IsReady(string podUid, string containerName)
    {
        var (any, runningId) = Running(podUid, containerName);
        if (!any)
        {
            return true;
        }

        if (runningId is null || !IsStarted(podUid, containerName))
        {
            return false;
        }

        var worker = Worker(new ProbeKey(podUid, containerName, ProbeKind.Readiness));
        if (worker is null)
        {
            return true;
        }

        if (worker.Current is { Result: ProbeResult.Success } r && r.ContainerId == runningId)
        {
            return true;
        }

        if (_options.TriggerReadinessOnStatusRead)
        {
            worker.Trigger();
        }

        return false;
    }

    /// <inheritdoc />
    public bool IsStarted(string podUid, string containerName)
    {
        var (any, runningId) = Running(podUid, containerName);
        if (!any)
        {
            return true;
        }

        return runningId is not null && StartedFor(podUid, containerName, runningId);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<ProbeWorker> all;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _workers.Values];
            _workers.Clear();
        }

        await Task.WhenAll(all.Select(w => w.StopAsync())).ConfigureAwait(false);
        _http.Dispose();
    }

    /// <summary>Whether the container instance <paramref name="containerId"/> has passed its startup probe (true without one).</summary>
    internal bool StartedFor(string podUid, string containerName, string containerId)
    {
        var startup = Worker(new ProbeKey(podUid, containerName, ProbeKind.Startup));
        return startup is null || startup.Current is { Result: ProbeResult.Success } r && r.ContainerId == containerId;
    }

    internal double NextJitter()
    {
        lock (_options.Random)
        {
            return _options.Random.NextDouble();
        }
    }

    internal void WorkerExited(ProbeWorker worker)
    {
        lock (_lock)
        {
            if (_workers.TryGetValue(worker.Key, out var current) && ReferenceEquals(current, worker))
            {
                _workers.Remove(worker.Key);
            }
        }
    }

    internal void OnUnhealthy(ProbeFailure failure) => Unhealthy?.Invoke(failure);

    internal void OnChanged(string podUid) => Changed?.Invoke(podUid);

    internal void OnPass(ProbePass pass) => Passed?.Invoke(pass);

    internal void LogWorkerError(ProbeKey key, Exception e) => LogProbeError(key.Kind, key.PodUid, key.Container, e.Message);

    // App containers and sidecars (restartable init containers) have probes; plain init containers never do.
    private static IEnumerable<V1Container> ProbedContainers(V1PodSpec? spec) =>
        (spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always").Concat(spec?.Containers ?? []);

    private static IEnumerable<(ProbeKind Kind, V1Probe Probe)> ProbesOf(V1Container c)
    {
        if (c.StartupProbe is not null)
        {
            yield return (ProbeKind.Startup, c.StartupProbe);
        }

        if (c.ReadinessProbe is not null)
        {
            yield return (ProbeKind.Readiness, c.ReadinessProbe);
        }

        if (c.LivenessProbe is not null)
        {
            yield return (ProbeKind.Liveness, c.LivenessProbe);
        }
    }

    private ProbeWorker? Worker(ProbeKey key)
    {
        lock (_lock)
        {
            return _workers.GetValueOrDefault(key);
        }
    }

    // Whether the manager knows probes of the container, and the id it runs under as of the last Sync (null: not running).
    private (bool Any, string? RunningId) Running(string podUid, string containerName)
    {
        lock (_lock)
        {
            foreach (var kind in (ReadOnlySpan<ProbeKind>)[ProbeKind.Startup, ProbeKind.Readiness, ProbeKind.Liveness])
            {
                if (_workers.TryGetValue(new ProbeKey(podUid, containerName, kind), out var w))
                {
                    return (true, w.Target.Running?.Id);
                }
            }
        }

        return (false, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} probe worker of pod {PodUid} container {Container} failed: {Error}")]
    private partial void LogProbeError(ProbeKind kind, string podUid, string container, string error);
}
