using System.Collections.Concurrent;
using Grpc.Core;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Cri.V1;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Volumes;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// One pod's worker: a loop that runs <see cref="SyncAsync"/> whenever it is signalled (informer update, relist change,
/// probe result, a backoff that expires) or every 10 s. A sync sets up the volumes, ensures the sandbox, runs the init
/// containers in order (sidecars — restartable init containers — are started and left running), then the app
/// containers, restarting exited ones by restartPolicy with CrashLoopBackOff, and patches <c>pods/status</c> when it
/// changed. A pod with a deletionTimestamp is terminated (preStop, StopContainer with the grace period, sandbox stop and
/// removal, volume teardown) and then deleted with grace 0 and a uid precondition.
/// </summary>
internal sealed partial class PodWorker
{
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(10);
    private readonly PodWorkers _owner;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly ConcurrentDictionary<string, ProbeFailure> _kills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, string Message)> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _containerIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exitedIds = new(StringComparer.Ordinal);
    private volatile V1Pod _pod;
    private volatile bool _deleted;
    private DateTimeOffset? _due;
    private DateTime? _startTime;
    private string? _podIp;
    private bool _finished;
    private bool _firstStartDone;
    private string _lastFingerprint = "";

    /// <summary>The first start's step timings until the pod is published Running (null when not traced or done).</summary>
    private PodStartTrace? _trace;

    private PodWorker(PodWorkers owner, V1Pod pod)
    {
        _owner = owner;
        _pod = pod;
        Uid = pod.Metadata.Uid;
        Key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
        _startTime = pod.Status?.StartTime;
        _lastFingerprint = Hollow.HollowNodeSet.Fingerprint(pod.Status);
        if (owner.Options.PodStarted is not null && pod.Status?.Phase is null or "Pending")
        {
            _trace = new PodStartTrace(Key, owner.Options.TimeProvider);
        }
    }

    public string Uid { get; }

    public string Key { get; }

    public string? SandboxId { get; private set; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public static PodWorker Start(PodWorkers owner, V1Pod pod)
    {
        var w = new PodWorker(owner, pod);
        w.Completion = Task.Run(w.LoopAsync);
        return w;
    }

    public void Update(V1Pod pod)
    {
        _pod = pod;
        Signal();
    }

    /// <summary>Takes the newer object without waking the worker (a status-only change).</summary>
    public void Replace(V1Pod pod) => _pod = pod;

    public void MarkDeleted()
    {
        _deleted = true;
        Signal();
    }

    public void Signal() => _signal.Release();

    public void RequestKill(ProbeFailure failure)
    {
        _kills[failure.ContainerId] = failure;
        Signal();
    }

    /// <summary>The ids of this pod's containers that have exited, as of the last listing.</summary>
    public IReadOnlySet<string> ExitedContainerIds()
    {
        lock (_containerIds)
        {
            return new HashSet<string>(_exitedIds, StringComparer.Ordinal);
        }
    }

    public IReadOnlyDictionary<string, string?> ContainerIds()
    {
        lock (_containerIds)
        {
            return new Dictionary<string, string?>(_containerIds, StringComparer.Ordinal);
        }
    }

    /// <summary>The node shuts down: stop the pod's containers gracefully (the API object stays).</summary>
    public async Task ShutdownAsync(long maxGraceSeconds, CancellationToken ct)
    {
        try
        {
            // The runtime waits the whole grace period before SIGKILL, whatever the caller's token says: cap it.
            await KillPodAsync(_pod, Math.Min(GracePeriod(_pod), maxGraceSeconds), ct).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is RpcException or OperationCanceledException) && ct.IsCancellationRequested)
        {
            // Out of time before the runtime killed it (a cancelled CRI call is an RpcException): upstream's killPodNow
            // records the same.
            _owner.Events.GracePeriodExceeded(_pod);
            PodWorkers.LogFailed(_owner.Logger, Key, "shutdown", e.Message);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            PodWorkers.LogFailed(_owner.Logger, Key, "shutdown", e.Message);
        }
    }

    private async Task LoopAsync()
    {
        var ct = _owner.Stopping;
        while (!ct.IsCancellationRequested)
        {
            var now = _owner.Options.TimeProvider.GetUtcNow();
            var wait = _due is { } due ? (due - now < Resync ? due - now : Resync) : Resync;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await _signal.WaitAsync(wait, ct).ConfigureAwait(false);
                }

                while (_signal.CurrentCount > 0 && _signal.Wait(0))
                {
                    // One sync serves every pending signal.
                }

                _due = null;
                if (await SyncAsync(ct).ConfigureAwait(false))
                {
                    _owner.Forget(this);
                    return;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever failed, the pod is retried: a worker never dies of one bad sync.
                PodWorkers.LogFailed(_owner.Logger, Key, "sync", e.Message);
                Due(_owner.Options.TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Due(DateTimeOffset at)
    {
        if (_due is null || at < _due)
        {
            _due = at;
        }
    }

    /// <summary>One sync; true when the pod is gone and the worker ends.</summary>
    private async Task<bool> SyncAsync(CancellationToken ct)
    {
        var pod = _pod;
        if (_deleted || pod.Metadata.DeletionTimestamp is not null)
        {
            await KillPodAsync(pod, GracePeriod(pod), ct, removeSandbox: false).ConfigureAwait(false);
            if (!_deleted)
            {
                // As upstream's status manager: the final status (every container terminated, the terminal phase) is
                // posted before the kubelet's final DELETE, while the runtime still knows the exited containers.
                _waiting.Clear();
                await PublishAsync(pod, await ListAsync(ct).ConfigureAwait(false), sandboxReady: false, ct, terminal: true).ConfigureAwait(false);
            }

            await RemoveSandboxesAsync(ct).ConfigureAwait(false);
            await CleanUpAsync(ct).ConfigureAwait(false);
            if (!_deleted)
            {
                await DeleteAsync(pod, ct).ConfigureAwait(false);
            }

            return true;
        }

        if (_finished)
        {
            return false;
        }

        if (pod.Status?.Phase is Status.PodStatusBuilder.Succeeded or Status.PodStatusBuilder.Failed)
        {
            // As upstream's pod worker: a pod the API server already reports terminal (seen again after a kubelet
            // restart, or failed by another component) never runs again; what of it still runs is stopped.
            _finished = true;
            await KillPodAsync(pod, GracePeriod(pod), ct, removeSandbox: false).ConfigureAwait(false);
            return false;
        }

        Trace("wakeup");
        var now = _owner.Options.TimeProvider.GetUtcNow();
        _startTime ??= now.UtcDateTime;
        IReadOnlyDictionary<string, string> volumes;
        try
        {
            volumes = await _owner.Volumes.SetUpAsync(pod, ct).ConfigureAwait(false);
            Trace("volumes");
        }
        catch (VolumeException e)
        {
            _owner.Events.MountFailed(pod, e.Volume, e.Message);
            foreach (var c in AllContainers(pod))
            {
                _waiting[c.Name] = ("ContainerCreating", "MountVolume.SetUp failed: " + e.Message);
            }

            await PublishAsync(pod, [], sandboxReady: false, ct).ConfigureAwait(false);
            Due(now + TimeSpan.FromSeconds(2));
            return false;
        }

        Dictionary<string, List<Instance>> instances;
        bool changed;
        var gate = _firstStartDone ? null : _owner.StartGate;
        if (gate is not null)
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            Trace("gate");
        }

        try
        {
            await EnsureSandboxAsync(pod, ct).ConfigureAwait(false);
            instances = await ListAsync(ct).ConfigureAwait(false);
            await KillUnhealthyAsync(pod, instances, ct).ConfigureAwait(false);
            Trace("containers.list");
            changed = RegularContainersDone(pod, instances)
                ? await StopSidecarsAsync(pod, instances, ct).ConfigureAwait(false)
                : await StartContainersAsync(pod, instances, volumes, now, ct).ConfigureAwait(false);
        }
        finally
        {
            // One gated pass per pod: later passes (restarts, the next init container, backoffs) queue behind nobody.
            _firstStartDone = true;
            gate?.Release();
        }

        if (changed)
        {
            instances = await ListAsync(ct).ConfigureAwait(false);
        }

        Trace("containers.list");
        var running = instances.Values.Select(l => l[0]).Where(i => i.State == ContainerState.ContainerRunning)
            .Select(i => new RunningContainer(i.Name, i.Id, i.StartedAt ?? now)).ToList();
        _owner.Probes.Sync(pod, _podIp, running);
        Trace("probes");
        var phase = await PublishAsync(pod, instances, sandboxReady: SandboxId is not null, ct).ConfigureAwait(false);
        if (phase is Status.PodStatusBuilder.Succeeded or Status.PodStatusBuilder.Failed)
        {
            // A pod that has ended keeps its exited containers (logs) but not its sandbox.
            _finished = true;
            await KillPodAsync(pod, GracePeriod(pod), ct, removeSandbox: false).ConfigureAwait(false);
        }

        await CollectExitedAsync(instances, ct).ConfigureAwait(false);
        return false;
    }

    private static IEnumerable<V1Container> AllContainers(V1Pod pod) => (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers);

    private static long GracePeriod(V1Pod pod) => Math.Max(0, pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);

    /// <summary>Finds this pod's ready sandbox or runs a new one (a new attempt after the previous one died).</summary>
    private async Task EnsureSandboxAsync(V1Pod pod, CancellationToken ct)
    {
        var cri = _owner.Cri.Runtime;
        var filter = new PodSandboxFilter();
        filter.LabelSelector[PodConfigFactory.PodUidLabel] = Uid;
        var list = (await cri.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, cancellationToken: ct).ConfigureAwait(false)).Items;
        Trace("sandbox.list");
        var ready = list.Where(s => s.State == PodSandboxState.SandboxReady).OrderByDescending(s => s.CreatedAt).FirstOrDefault();
        if (ready is null)
        {
            var attempt = list.Count == 0 ? 0u : list.Max(s => s.Metadata.Attempt) + 1;
            if (list.Count > 0)
            {
                _owner.Events.SandboxChangedEvent(pod);
            }

            foreach (var dead in list)
            {
                await cri.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = dead.Id }, cancellationToken: ct).ConfigureAwait(false);
                await cri.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = dead.Id }, cancellationToken: ct).ConfigureAwait(false);
            }

            var config = PodConfigFactory.Sandbox(pod, attempt, _owner.Options);
            Directory.CreateDirectory(config.LogDirectory);
            try
            {
                SandboxId = (await cri.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: ct).ConfigureAwait(false)).PodSandboxId;
                Trace("sandbox.run");
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                _owner.Events.SandboxFailed(pod, e.Status.Detail);
                throw;
            }

            _sandboxConfig = config;
        }
        else
        {
            SandboxId = ready.Id;
            _sandboxConfig ??= PodConfigFactory.Sandbox(pod, ready.Metadata.Attempt, _owner.Options);
        }

        if (_podIp is null)
        {
            var status = await cri.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = SandboxId }, cancellationToken: ct).ConfigureAwait(false);
            _podIp = pod.Spec.HostNetwork == true ? _owner.HostIps().FirstOrDefault() : status.Status.Network?.Ip is { Length: > 0 } ip ? ip : null;
            Trace("sandbox.status");
        }
    }

    private PodSandboxConfig? _sandboxConfig;

    /// <summary>Charges the time since the last mark to <paramref name="step"/> while the first start is traced.</summary>
    private void Trace(string step) => _trace?.Mark(step);

    /// <summary>
    /// The pod's containers from the runtime: name → instances, newest (highest attempt) first. A runtime that cannot
    /// answer gets the pod a <c>FailedSync</c> event (upstream's pod worker when the pod cache has no status), and the
    /// sync is retried.
    /// </summary>
    private async Task<Dictionary<string, List<Instance>>> ListAsync(CancellationToken ct)
    {
        try
        {
            return await ListRuntimeAsync(ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            _owner.Events.SyncFailed(_pod, GoNetErrors.Rpc(e));
            throw;
        }
    }

    private async Task<Dictionary<string, List<Instance>>> ListRuntimeAsync(CancellationToken ct)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector[PodConfigFactory.PodUidLabel] = Uid;
        var list = await _owner.Cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = filter }, cancellationToken: ct).ConfigureAwait(false);
        var result = new Dictionary<string, List<Instance>>(StringComparer.Ordinal);
        foreach (var c in list.Containers)
        {
            var s = (await _owner.Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = c.Id }, cancellationToken: ct).ConfigureAwait(false)).Status;
            var name = c.Metadata.Name;
            (result.TryGetValue(name, out var l) ? l : result[name] = []).Add(Instance.From(s));
        }

        foreach (var l in result.Values)
        {
            l.Sort((a, b) => b.Attempt.CompareTo(a.Attempt));
        }

        lock (_containerIds)
        {
            foreach (var (name, l) in result)
            {
                _containerIds[name] = l[0].Id;
            }

            _exitedIds.Clear();
            _exitedIds.UnionWith(result.Values.SelectMany(l => l).Where(i => i.Exited).Select(i => i.Id));
        }

        return result;
    }
}
