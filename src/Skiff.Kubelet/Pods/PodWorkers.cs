using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Cri.V1;
using Skiff.Kubelet.Env;
using Skiff.Kubelet.Events;
using Skiff.Kubelet.Logs;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Server;
using Skiff.Kubelet.Volumes;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// The real kubelet's pod side (upstream's pod workers, simplified): ONE pod informer on <c>spec.nodeName=NODE</c>, ONE
/// worker per pod uid that serialises that pod's syncs (<see cref="PodWorker"/>), and ONE relist loop (upstream's PLEG)
/// that lists the runtime's containers every <see cref="KubeletOptions.RelistPeriod"/> and wakes the workers whose
/// containers changed state. At start, sandboxes of pods that are not on this node any more (a previous run's orphans)
/// are stopped and removed. Also the runtime lookup the kubelet's HTTP server uses (<see cref="IPodRuntimeLookup"/>).
/// </summary>
public sealed partial class PodWorkers : IPodRuntimeLookup, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastRelist = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private SharedInformerFactory? _factory;
    private SharedIndexInformer<V1Pod>? _informer;
    private Task _relist = Task.CompletedTask;

    /// <summary>Creates the workers; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <remarks><paramref name="events"/> records the pods' events (Created, Started, Pulled, Killing, BackOff...; none when null).</remarks>
    public PodWorkers(Clientset client, CriConnection cri, KubeletOptions options, IProbeManager probes, IContainerEnvResolver env, Func<IReadOnlyList<string>> hostIps, EventRecorder? events = null)
    {
        Events = new KubeletEvents(events);
        Client = client;
        Cri = cri;
        Options = options;
        Probes = probes;
        Env = env;
        HostIps = hostIps;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Kubelet.Pods");
        Volumes = new VolumeManager(client, options.RootDirectory, Logger, options.TimeProvider);
        Backoff = new CrashBackoff(options.InitialBackoff, options.MaxBackoff, options.BackoffReset);
        StartGate = new SemaphoreSlim(Math.Max(1, options.MaxParallelPodStarts));
        probes.Unhealthy += f =>
        {
            if (_workers.TryGetValue(f.PodUid, out var w))
            {
                w.RequestKill(f);
            }
        };
        probes.Changed += uid =>
        {
            if (_workers.TryGetValue(uid, out var w))
            {
                w.Signal();
            }
        };
    }

    internal Clientset Client { get; }

    internal CriConnection Cri { get; }

    internal KubeletOptions Options { get; }

    internal IProbeManager Probes { get; }

    internal IContainerEnvResolver Env { get; }

    internal Func<IReadOnlyList<string>> HostIps { get; }

    internal ILogger Logger { get; }

    internal KubeletEvents Events { get; }

    internal VolumeManager Volumes { get; }

    internal CrashBackoff Backoff { get; }

    internal CancellationToken Stopping => _stop.Token;

    /// <summary>Bounds the pods in their first start (<see cref="KubeletOptions.MaxParallelPodStarts"/>); waiters are served in order.</summary>
    internal SemaphoreSlim StartGate { get; }

    /// <summary>How many pods have a worker.</summary>
    public int Count => _workers.Count;

    /// <summary>
    /// The pods this kubelet runs: the informer's current state of each pod that has a worker (upstream's pod manager,
    /// which the kubelet's <c>/pods</c> endpoint lists).
    /// </summary>
    public IReadOnlyList<V1Pod> ManagedPods() =>
        _informer is null ? [] : [.. _informer.Lister.List().Where(p => _workers.ContainsKey(p.Metadata.Uid))];

    /// <summary>Starts the informer, removes orphaned sandboxes, then the relist loop; returns once the informer has synced.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Options.PodLogDirectory);
        _factory = new SharedInformerFactory(Client, new SharedInformerOptions { FieldSelector = "spec.nodeName=" + Options.NodeName, LoggerFactory = Options.LoggerFactory, Name = "kubelet-pods" });
        _informer = _factory.Informer<V1Pod>();
        _informer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => OnPod(p), OnPodUpdated, (p, _) => OnPodDeleted(p)));
        await _factory.StartAsync(ct).ConfigureAwait(false);
        await _factory.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
        await CollectOrphansAsync(ct).ConfigureAwait(false);
        _relist = Task.Run(() => RelistLoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Stops every pod gracefully (the node shuts down), then the loops: each pod gets its grace period, but no more than
    /// <paramref name="budget"/> less 2 s (sidecars, stopped last, get up to 2 s more), as upstream's graceful node
    /// shutdown caps pods at the node's shutdown grace period.
    /// </summary>
    public async Task StopPodsAsync(TimeSpan budget, CancellationToken ct)
    {
        await StopLoopsAsync().ConfigureAwait(false);
        var maxGrace = Math.Max(1, (long)budget.TotalSeconds - 2);
        await Task.WhenAll(_workers.Values.Select(w => w.ShutdownAsync(maxGrace, ct))).ConfigureAwait(false);
    }

    private async Task StopLoopsAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_workers.Values.Select(w => w.Completion).Append(_relist)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        if (_factory is not null)
        {
            await _factory.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        StartGate.Dispose();
    }

    /// <summary>The informer's copy of the pod with <paramref name="uid"/> (null when gone).</summary>
    internal V1Pod? Current(string ns, string name) => _informer?.Lister.Get(ns, name);

    /// <summary>Called by a worker that has finished with its pod.</summary>
    internal void Forget(PodWorker worker) => _workers.TryRemove(new KeyValuePair<string, PodWorker>(worker.Uid, worker));

    private void OnPod(V1Pod pod)
    {
        var w = _workers.GetOrAdd(pod.Metadata.Uid, _ => PodWorker.Start(this, pod));
        w.Update(pod);
    }

    /// <summary>A status-only update (the kubelet's own write echoed back) hands the worker the new object without a sync.</summary>
    private void OnPodUpdated(V1Pod old, V1Pod pod)
    {
        if (!PodUpdates.NeedsSync(old, pod) && _workers.TryGetValue(pod.Metadata.Uid, out var w))
        {
            w.Replace(pod);
            return;
        }

        OnPod(pod);
    }

    private void OnPodDeleted(V1Pod pod)
    {
        if (_workers.TryGetValue(pod.Metadata.Uid, out var w))
        {
            w.MarkDeleted();
        }
    }

    /// <summary>Stops and removes sandboxes (and their containers) of pods this node does not run.</summary>
    private async Task CollectOrphansAsync(CancellationToken ct)
    {
        var sandboxes = await Cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), cancellationToken: ct).ConfigureAwait(false);
        var known = (_informer?.Lister.List() ?? []).Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var s in sandboxes.Items)
        {
            if (!s.Labels.TryGetValue(PodConfigFactory.PodUidLabel, out var uid) || known.Contains(uid))
            {
                continue;
            }

            try
            {
                await Cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: ct).ConfigureAwait(false);
                await Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: ct).ConfigureAwait(false);
                Volumes.TearDown(uid);
                LogOrphan(Logger, s.Metadata.Namespace + "/" + s.Metadata.Name, s.Id);
            }
            catch (RpcException e)
            {
                LogFailed(Logger, s.Metadata.Namespace + "/" + s.Metadata.Name, "orphan removal", e.Status.Detail);
            }
        }
    }

    /// <summary>Upstream's PLEG relist: wakes the workers whose containers changed state since the last pass.</summary>
    private async Task RelistLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.RelistPeriod, Options.TimeProvider, ct).ConfigureAwait(false);
                var list = await Cri.Runtime.ListContainersAsync(new ListContainersRequest(), cancellationToken: ct).ConfigureAwait(false);
                var byPod = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
                foreach (var c in list.Containers.OrderBy(c => c.Id, StringComparer.Ordinal))
                {
                    if (c.Labels.TryGetValue(PodConfigFactory.PodUidLabel, out var uid))
                    {
                        (byPod.TryGetValue(uid, out var sb) ? sb : byPod[uid] = new StringBuilder()).Append(c.Id).Append('=').Append((int)c.State).Append(';');
                    }
                }

                foreach (var (uid, sb) in byPod)
                {
                    var fp = sb.ToString();
                    if (!_lastRelist.TryGetValue(uid, out var old) || old != fp)
                    {
                        _lastRelist[uid] = fp;
                        if (_workers.TryGetValue(uid, out var w))
                        {
                            w.Signal();
                        }
                    }
                }

                foreach (var gone in _lastRelist.Keys.Where(k => !byPod.ContainsKey(k)).ToList())
                {
                    _lastRelist.Remove(gone);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                LogFailed(Logger, "*", "relist", e.Status.Detail);
            }
        }
    }

    /// <inheritdoc />
    public PodRuntimeInfo? Find(string ns, string name)
    {
        var pod = Current(ns, name);
        if (pod is null || !_workers.TryGetValue(pod.Metadata.Uid, out var w))
        {
            return null;
        }

        return new PodRuntimeInfo(w.Uid, w.SandboxId, PodLogPaths.PodDirectory(Options.PodLogDirectory, ns, name, w.Uid), w.ContainerIds()) { Exited = w.ExitedContainerIds() };
    }

    /// <inheritdoc />
    public async Task<Uri> ExecUrlAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct)
    {
        var r = new ExecRequest { ContainerId = containerId, Tty = tty, Stdin = stdin, Stdout = stdout, Stderr = stderr && !tty };
        r.Cmd.AddRange(command);
        return new Uri((await Cri.Runtime.ExecAsync(r, cancellationToken: ct).ConfigureAwait(false)).Url);
    }

    /// <inheritdoc />
    public async Task<Uri> AttachUrlAsync(string containerId, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct)
    {
        var r = new AttachRequest { ContainerId = containerId, Tty = tty, Stdin = stdin, Stdout = stdout, Stderr = stderr && !tty };
        return new Uri((await Cri.Runtime.AttachAsync(r, cancellationToken: ct).ConfigureAwait(false)).Url);
    }

    /// <inheritdoc />
    /// <remarks>containerd's CRI streaming server (1.6, 1.7) offers channel.k8s.io up to v4.</remarks>
    public bool StreamingSupportsClose => false;

    /// <inheritdoc />
    public async Task<Uri> PortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct)
    {
        var r = new PortForwardRequest { PodSandboxId = sandboxId };
        r.Port.AddRange(ports);
        return new Uri((await Cri.Runtime.PortForwardAsync(r, cancellationToken: ct).ConfigureAwait(false)).Url);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "removed orphaned sandbox of {Pod} ({Id})")]
    private static partial void LogOrphan(ILogger logger, string pod, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod {Pod}: {Action} failed: {Reason}")]
    internal static partial void LogFailed(ILogger logger, string pod, string action, string reason);
}
