using k8s.Models;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// Probes one container with one probe for as long as its pod is synced (upstream <c>prober/worker.go</c>): a first
/// probe jittered by a random part of periodSeconds while the manager is younger than one period, then one probe per
/// tick of periodSeconds (or sooner when triggered). A new container id starts over (initial value, off hold, counts
/// reset); initialDelaySeconds counts from the container's start; liveness and readiness wait until the startup probe
/// succeeded, the startup probe stops probing then; failureThreshold/successThreshold consecutive equal results change
/// the cached result; a liveness or startup failure puts the worker on hold until the container id changes; a pod being
/// deleted ends liveness and startup workers with success. The probe state is touched by the worker's loop only;
/// <see cref="Target"/> and <see cref="Current"/> are swapped atomically.
/// </summary>
internal sealed class ProbeWorker
{
    private readonly ProbeManager _manager;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _trigger = new(0, 1);
    private Task _loop = Task.CompletedTask;

    // Loop-only state (upstream's containerID, lastResult, resultRun, onHold).
    private string? _containerId;
    private ProbeResult? _lastResult;
    private int _run;
    private bool _onHold;
    private ProbeResult? _ran;

    public ProbeWorker(ProbeManager manager, ProbeKey key, V1Container container, V1Probe probe, WorkerTarget target)
    {
        _manager = manager;
        Key = key;
        Container = container;
        Probe = probe;
        Target = target;
    }

    public ProbeKey Key { get; }

    public V1Container Container { get; }

    public V1Probe Probe { get; }

    /// <summary>The pod, its IP and the container's running instance as of the last Sync (null: not running).</summary>
    public volatile WorkerTarget Target;

    /// <summary>The cached result and the container id it belongs to (null before the first container).</summary>
    public volatile ResultEntry? Current;

    /// <summary>The value a new container starts with (upstream <c>initialValue</c>).</summary>
    public ProbeResult? InitialValue => Key.Kind switch
    {
        ProbeKind.Readiness => ProbeResult.Failure,
        ProbeKind.Liveness => ProbeResult.Success,
        _ => null,
    };

    /// <summary>Starts the loop. The first probe's jitter is armed here, on the caller's clock reading, so a fake clock
    /// advanced right after Sync cannot overtake it.</summary>
    public void Start()
    {
        var time = _manager.Time;
        var period = Period;
        var jitter = period > time.GetUtcNow() - _manager.Started
            ? Task.Delay(period * _manager.NextJitter(), time, _stop.Token)
            : Task.CompletedTask;
        _loop = Task.Run(() => RunAsync(jitter));
    }

    private TimeSpan Period => TimeSpan.FromSeconds(Math.Max(1, Probe.PeriodSeconds ?? 10));

    /// <summary>Asks for a probe now (non-blocking; one pending request at most).</summary>
    public void Trigger()
    {
        try
        {
            if (_trigger.CurrentCount == 0)
            {
                _trigger.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already triggered.
        }
    }

    /// <summary>Stops the loop; completes when it has ended.</summary>
    public Task StopAsync()
    {
        _stop.Cancel();
        return _loop;
    }

    private async Task RunAsync(Task jitter)
    {
        var ct = _stop.Token;
        try
        {
            // A kubelet that just started would fire every probe at once: the first ones are spread over a period.
            await jitter.ConfigureAwait(false);
            using var ticker = new PeriodicTimer(Period, _manager.Time);
            Task<bool>? tick = null;
            Task? trigger = null;
            while (await DoProbeGuardedAsync(ct).ConfigureAwait(false))
            {
                tick ??= ticker.WaitForNextTickAsync(ct).AsTask();
                trigger ??= _trigger.WaitAsync(ct);
                var fired = await Task.WhenAny(tick, trigger).ConfigureAwait(false);
                await fired.ConfigureAwait(false);
                if (fired == tick)
                {
                    tick = null;
                }
                else
                {
                    trigger = null;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            _manager.WorkerExited(this);
        }
    }

    private async Task<bool> DoProbeGuardedAsync(CancellationToken ct)
    {
        try
        {
            _ran = null;
            var keepGoing = await DoProbeAsync(ct).ConfigureAwait(false);
            _manager.OnPass(new ProbePass(Key, _containerId, _ran, _manager.Time.GetUtcNow()));
            return keepGoing;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Upstream eats a worker's panic and goes on.
            _manager.LogWorkerError(Key, e);
            return true;
        }
    }

    private async Task<bool> DoProbeAsync(CancellationToken ct)
    {
        var target = Target;
        var running = target.Running;
        if (running is null)
        {
            // Not running (yet, or between restarts): not ready, not started; wait for a container.
            if (_containerId is not null)
            {
                Set(_containerId, ProbeResult.Failure);
            }

            return true;
        }

        if (running.Id != _containerId)
        {
            _containerId = running.Id;
            Set(running.Id, InitialValue, force: true);
            _onHold = false;
            _lastResult = null;
            _run = 0;
        }

        if (_onHold)
        {
            return true;
        }

        if (target.Pod.Metadata?.DeletionTimestamp is not null && Key.Kind is ProbeKind.Liveness or ProbeKind.Startup)
        {
            // Quiet shutdown: the kubelet is stopping this pod anyway.
            Set(running.Id, ProbeResult.Success);
            return false;
        }

        if ((int)(_manager.Time.GetUtcNow() - running.StartedAt).TotalSeconds < (Probe.InitialDelaySeconds ?? 0))
        {
            return true;
        }

        var started = _manager.StartedFor(Key.PodUid, Key.Container, running.Id);
        if (started ? Key.Kind == ProbeKind.Startup : Key.Kind != ProbeKind.Startup)
        {
            return true;
        }

        var outcome = await _manager.Prober.ProbeAsync(Key.Kind, Probe, target.Pod, target.PodIp, Container, running.Id, ct).ConfigureAwait(false);
        var meta = target.Pod.Metadata;
        ProberMetrics.Count(Key.Kind, outcome?.Result ?? ProbeResult.Unknown, Container.Name, meta?.Name ?? string.Empty, meta?.NamespaceProperty ?? string.Empty, Key.PodUid);
        _ran = outcome?.Result ?? ProbeResult.Unknown;
        if (outcome is not { Result: var r })
        {
            return true;
        }

        if (_lastResult == r)
        {
            _run++;
        }
        else
        {
            _lastResult = r;
            _run = 1;
        }

        var threshold = r == ProbeResult.Failure ? Probe.FailureThreshold ?? 3 : Probe.SuccessThreshold ?? 1;
        if (_run >= threshold)
        {
            Set(running.Id, r);
            if (Key.Kind is ProbeKind.Liveness or ProbeKind.Startup && r == ProbeResult.Failure)
            {
                // The container will be restarted: stop probing it until a new container id shows up.
                _onHold = true;
                _run = 0;
                _manager.OnUnhealthy(new ProbeFailure(Key.PodUid, Key.Container, running.Id, Key.Kind.ToString(), outcome.Output)
                {
                    TerminationGracePeriodSeconds = Probe.TerminationGracePeriodSeconds,
                });
            }
        }

        return true;
    }

    private void Set(string containerId, ProbeResult? result, bool force = false)
    {
        var previous = Current;
        if (!force && previous is not null && previous.ContainerId == containerId && previous.Result == result)
        {
            return;
        }

        Current = new ResultEntry(containerId, result);
        if (Key.Kind != ProbeKind.Liveness && (previous?.ContainerId != containerId || previous.Result != result))
        {
            _manager.OnChanged(Key.PodUid);
        }
    }
}

/// <summary>A probe worker's identity: pod uid, container name, kind.</summary>
internal readonly record struct ProbeKey(string PodUid, string Container, ProbeKind Kind);

/// <summary>One pass of a worker's loop (for tests on a fake clock): the result of the probe it ran, null when the
/// pass ran none (no container, on hold, initial delay, gated by startup), Unknown when it errored.</summary>
internal sealed record ProbePass(ProbeKey Key, string? ContainerId, ProbeResult? Ran, DateTimeOffset At);

/// <summary>What a worker probes: the pod, its IP and the container's running instance (null: not running).</summary>
internal sealed record WorkerTarget(V1Pod Pod, string? PodIp, RunningContainer? Running);

/// <summary>A cached probe result for one container instance (null result: unknown, e.g. a startup probe not run yet).</summary>
internal sealed record ResultEntry(string ContainerId, ProbeResult? Result);
