using System.Text;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Kubelet.Status;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// The pods of all hollow nodes: one timer queue ordered by the instant each pod's status next changes. Informer events
/// queue a pod now; a sync computes its status from the timeline, patches <c>pods/status</c> only when it differs from
/// the informer's copy, and queues the pod again for its next change.
/// </summary>
public sealed partial class HollowNodeSet
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly PriorityQueue<HollowPod, DateTimeOffset> _due = new();
    private readonly object _dueLock = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    private void OnPod(V1Pod pod)
    {
        if (pod.Spec?.NodeName is not { } nodeName || Find(nodeName) is not { } node)
        {
            return;
        }

        var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
        var now = _time.GetUtcNow();
        var state = _pods.AddOrUpdate(key,
            _ => Accept(key, pod, node, now),
            (_, existing) =>
            {
                if (existing.Uid == pod.Metadata.Uid)
                {
                    return existing;
                }

                Forget(existing);
                return Accept(key, pod, node, now);
            });
        state.Behaviour = HollowBehaviour.Parse(pod.Metadata.Annotations);
        if (pod.Metadata.DeletionTimestamp is not null && state.KillAt is null)
        {
            var grace = TimeSpan.FromSeconds(Math.Max(0, pod.Metadata.DeletionGracePeriodSeconds ?? 0));
            var stopIn = state.Behaviour.ShutdownDelay < grace ? state.Behaviour.ShutdownDelay : grace;
            state.KilledAtGrace = state.Behaviour.ShutdownDelay > TimeSpan.Zero && state.Behaviour.ShutdownDelay >= grace;
            state.KillAt = now + stopIn;
        }

        Enqueue(state, now);
    }

    private HollowPod Accept(string key, V1Pod pod, HollowNode node, DateTimeOffset now)
    {
        var start = pod.Status?.StartTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
        var state = new HollowPod(key, pod.Metadata.Uid, node, start, HollowBehaviour.Parse(pod.Metadata.Annotations));
        if (pod.Spec.HostNetwork == true)
        {
            state.PodIP = node.InternalIP;
        }
        else if (pod.Status?.PodIP is { Length: > 0 } ip && node.Claim(ip))
        {
            state.PodIP = ip;
        }
        else
        {
            state.PodIP = node.AllocateIP();
        }

        Interlocked.Increment(ref node.PodCount);
        return state;
    }

    private void OnPodDeleted(V1Pod pod)
    {
        var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
        if (_pods.TryGetValue(key, out var state) && state.Uid == pod.Metadata.Uid && _pods.TryRemove(new KeyValuePair<string, HollowPod>(key, state)))
        {
            Forget(state);
        }
    }

    private static void Forget(HollowPod state)
    {
        state.Gone = true;
        if (state.PodIP is { } ip && ip != state.Node.InternalIP)
        {
            state.Node.Release(ip);
        }

        Interlocked.Decrement(ref state.Node.PodCount);
    }

    private void Enqueue(HollowPod pod, DateTimeOffset at)
    {
        lock (_dueLock)
        {
            if (pod.QueuedAt is { } queued && queued <= at)
            {
                return;
            }

            pod.QueuedAt = at;
            _due.Enqueue(pod, at);
        }

        _wake.Release();
    }

    private async Task PodLoopAsync(CancellationToken ct)
    {
        var batch = new List<HollowPod>();
        while (!ct.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? next = null;
            batch.Clear();
            lock (_dueLock)
            {
                while (_due.TryPeek(out var pod, out var at))
                {
                    if (pod.QueuedAt != at || pod.Gone)
                    {
                        _due.Dequeue();
                        continue;
                    }

                    if (at > now)
                    {
                        next = at;
                        break;
                    }

                    _due.Dequeue();
                    pod.QueuedAt = null;
                    batch.Add(pod);
                }
            }

            if (batch.Count > 0)
            {
                await Parallel.ForEachAsync(batch, Parallelism(ct), (p, c) => SyncPodAsync(p, now, c)).ConfigureAwait(false);
                continue;
            }

            // Sleep until the earliest due instant or until something is queued.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var woken = _wake.WaitAsync(wait.Token);
            var tasks = next is { } n ? new[] { woken, Task.Delay(n - now, _time, wait.Token) } : [woken];
            await Task.WhenAny(tasks).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ct.ThrowIfCancellationRequested();
            }

            while (_wake.CurrentCount > 0 && _wake.Wait(0))
            {
                // Drain the other wake-ups: one pass serves them all.
            }
        }
    }

    private async ValueTask SyncPodAsync(HollowPod state, DateTimeOffset now, CancellationToken ct)
    {
        var (ns, name) = Split(state.Key);
        var pod = _podInformer?.Lister.Get(ns, name);
        if (pod is null || pod.Metadata.Uid != state.Uid || state.Gone)
        {
            return;
        }

        var (init, app, next) = _timeline.At(pod, state.Behaviour, state.Start, now);
        var runtime = new PodRuntimeStatus
        {
            InitContainerStatuses = init,
            ContainerStatuses = app,
            SandboxReady = true,
            PodIPs = state.PodIP is { } ip ? [ip] : [],
            HostIPs = [state.Node.InternalIP],
            StartTime = state.Start.UtcDateTime,
        };
        var status = PodStatusBuilder.Build(pod, runtime, now);
        var terminal = status.Phase is PodStatusBuilder.Succeeded or PodStatusBuilder.Failed;
        if (state.KillAt is { } killAt && (now >= killAt || terminal))
        {
            // As the kubelet: the stopped containers' terminal status first, then the final delete.
            var stopped = terminal ? status : PodStatusBuilder.Build(pod, Stopped(runtime, killedAtGrace: state.KilledAtGrace, now), now, terminal: true);
            if (Fingerprint(stopped) == Fingerprint(pod.Status) || await PatchStatusAsync(state, ns, name, stopped, ct).ConfigureAwait(false))
            {
                await RemoveAsync(state, ns, name, ct).ConfigureAwait(false);
            }

            return;
        }

        if (Fingerprint(status) != Fingerprint(pod.Status))
        {
            try
            {
                await PatchAsync(state, ns, name, status, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
            {
                // Gone or replaced: the informer's delete event follows.
                return;
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
            {
                LogPodFailed(_logger, state.Key, "status update", e.Message);
                next = now + RetryDelay;
            }
        }

        if (state.KillAt is { } kill && (next is null || kill < next))
        {
            next = kill;
        }

        if (next is { } due)
        {
            Enqueue(state, due);
        }
    }

    private async Task PatchAsync(HollowPod state, string ns, string name, V1PodStatus status, CancellationToken ct)
    {
        await ClientOf(state.Node).CoreV1().Pods(ns).PatchAsync(name, PatchType.StrategicMerge,
            new Dictionary<string, object>
            {
                ["metadata"] = new Dictionary<string, string> { ["uid"] = state.Uid },
                ["status"] = status,
            },
            subresource: "status", ct: ct).ConfigureAwait(false);
        Interlocked.Increment(ref _podStatusPatches);
    }

    /// <summary>Posts the terminal status before the final delete; false when the pod is gone or the post must be retried.</summary>
    private async Task<bool> PatchStatusAsync(HollowPod state, string ns, string name, V1PodStatus status, CancellationToken ct)
    {
        try
        {
            await PatchAsync(state, ns, name, status, ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            return false;
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            LogPodFailed(_logger, state.Key, "terminal status update", e.Message);
            Enqueue(state, _time.GetUtcNow() + RetryDelay);
            return false;
        }
    }

    /// <summary>
    /// The containers as the kubelet reports them once it has stopped a deleted pod: a running container terminated at
    /// <paramref name="now"/>, exit code 0 (<c>Completed</c>) when it stopped on its own within the grace period, 137
    /// (<c>Error</c>, killed) when the grace period ran out; containers that had ended or never started are unchanged.
    /// </summary>
    internal static PodRuntimeStatus Stopped(PodRuntimeStatus runtime, bool killedAtGrace, DateTimeOffset now)
    {
        V1ContainerStatus Stop(V1ContainerStatus c) => c.State?.Running is not { } running ? c : new V1ContainerStatus
        {
            Name = c.Name,
            Image = c.Image,
            ImageID = c.ImageID,
            ContainerID = c.ContainerID,
            RestartCount = c.RestartCount,
            LastState = c.LastState,
            Ready = false,
            Started = false,
            State = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = killedAtGrace ? 137 : 0,
                    Reason = killedAtGrace ? "Error" : "Completed",
                    StartedAt = running.StartedAt,
                    FinishedAt = now.UtcDateTime,
                    ContainerID = c.ContainerID,
                },
            },
        };

        return runtime with
        {
            InitContainerStatuses = [.. runtime.InitContainerStatuses.Select(Stop)],
            ContainerStatuses = [.. runtime.ContainerStatuses.Select(Stop)],
            SandboxReady = false,
        };
    }

    /// <summary>The final delete of a kubelet: grace period 0 with the pod's uid as precondition.</summary>
    private async Task RemoveAsync(HollowPod state, string ns, string name, CancellationToken ct)
    {
        // Counted before the request, so whoever sees the pod vanish on a watch also sees the count; taken back on failure.
        Interlocked.Increment(ref _podDeletes);
        try
        {
            await ClientOf(state.Node).CoreV1().Pods(ns).DeleteAsync(name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = state.Uid }, ct).ConfigureAwait(false);

            // Removed: a sync woken before the informer sees the deletion must not send a second DELETE.
            state.Gone = true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            // Already gone, or a new pod of the same name.
            Interlocked.Decrement(ref _podDeletes);
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            Interlocked.Decrement(ref _podDeletes);
            LogPodFailed(_logger, state.Key, "delete", e.Message);
            Enqueue(state, _time.GetUtcNow() + RetryDelay);
        }
    }

    private static (string Ns, string Name) Split(string key)
    {
        var i = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..i], key[(i + 1)..]);
    }

    /// <summary>What of a pod status matters for deciding to post it (not heartbeat-like times).</summary>
    internal static string Fingerprint(V1PodStatus? s)
    {
        if (s is null)
        {
            return "";
        }

        var sb = new StringBuilder();
        sb.Append(s.Phase).Append('|').Append(s.PodIP).Append('|').Append(s.HostIP).Append('|').Append(s.QosClass).Append('|');
        foreach (var c in s.Conditions ?? [])
        {
            sb.Append(c.Type).Append('=').Append(c.Status).Append('/').Append(c.Reason).Append(';');
        }

        foreach (var c in (s.InitContainerStatuses ?? []).Concat(s.ContainerStatuses ?? []))
        {
            sb.Append(c.Name).Append(':').Append(c.Ready).Append(':').Append(c.Started).Append(':').Append(c.RestartCount).Append(':')
                .Append(c.State?.Running is not null ? "run" : c.State?.Terminated is not null ? "term" + c.State.Terminated.ExitCode : "wait" + c.State?.Waiting?.Reason)
                .Append(':').Append(c.State?.Running?.StartedAt?.Ticks / TimeSpan.TicksPerSecond).Append(';');
        }

        return sb.ToString();
    }
}
