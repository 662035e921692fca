using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Queue;

/// <summary>
/// Upstream's <c>PriorityQueue</c> (pkg/scheduler/backend/queue), three parts:
/// <list type="bullet">
/// <item>activeQ: pods to schedule, a heap ordered by the profile's queue-sort plugin (PrioritySort: higher priority
/// first, then earlier timestamp); <see cref="PopAsync"/> waits on it.</item>
/// <item>backoffQ: pods that failed and wait out their backoff (1 s doubled per attempt, at most 10 s) before
/// returning to activeQ; <see cref="Flush"/> moves the expired ones (the scheduler calls it every second).</item>
/// <item>unschedulable pods: failed pods that wait for a cluster event that could make them fit
/// (<see cref="MoveAllToActiveOrBackoff"/>: node added or changed, pod deleted) or for
/// <see cref="MaxUnschedulableDuration"/> (5 minutes).</item>
/// </list>
/// Pods a PreEnqueue plugin rejects (scheduling gates) wait in a gated set, outside all three, until an update admits
/// them. A pod that fails while a move request happened during its attempt goes to backoffQ instead of waiting for a next
/// event, as upstream's <c>moveRequestCycle</c> does. Thread-safe.
/// </summary>
public sealed class SchedulingQueue
{
    /// <summary>Upstream's <c>DefaultPodInitialBackoffDuration</c>.</summary>
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Upstream's <c>DefaultPodMaxBackoffDuration</c>.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Upstream's <c>DefaultPodMaxInUnschedulablePodsDuration</c>.</summary>
    public static readonly TimeSpan MaxUnschedulableDuration = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly PriorityQueue<QueuedPodInfo, QueuedPodInfo> _active;
    private readonly Dictionary<string, QueuedPodInfo> _activeKeys = new(StringComparer.Ordinal);
    private readonly PriorityQueue<QueuedPodInfo, DateTimeOffset> _backoff = new();
    private readonly Dictionary<string, QueuedPodInfo> _backoffKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _gated = new(StringComparer.Ordinal);
    private readonly Func<V1Pod, Status?> _preEnqueue;
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private bool _closed;

    /// <param name="order">The active queue's order.</param>
    /// <param name="time">The clock of backoffs.</param>
    /// <param name="preEnqueue">The PreEnqueue check (null admits every pod); a rejection keeps the pod gated.</param>
    public SchedulingQueue(IComparer<QueuedPodInfo> order, TimeProvider? time = null, Func<V1Pod, Status?>? preEnqueue = null)
    {
        _time = time ?? TimeProvider.System;
        _preEnqueue = preEnqueue ?? (_ => null);
        _active = new PriorityQueue<QueuedPodInfo, QueuedPodInfo>(order);
    }

    /// <summary>The number of completed <see cref="PopAsync"/> calls (upstream's scheduling cycle).</summary>
    public long SchedulingCycle
    {
        get
        {
            lock (_lock)
            {
                return _schedulingCycle;
            }
        }
    }

    /// <summary>The number of pods in activeQ, backoffQ and the unschedulable set.</summary>
    public (int Active, int Backoff, int Unschedulable) Counts
    {
        get
        {
            lock (_lock)
            {
                return (_activeKeys.Count, _backoffKeys.Count, _unschedulable.Count);
            }
        }
    }

    /// <summary>The number of pods held back by a PreEnqueue plugin (upstream's <c>gated</c> pending pods).</summary>
    public int GatedCount
    {
        get
        {
            lock (_lock)
            {
                return _gated.Count;
            }
        }
    }

    /// <summary>Whether the pod with <paramref name="key"/> (namespace/name) is gated.</summary>
    public bool IsGated(string key)
    {
        lock (_lock)
        {
            return _gated.ContainsKey(key);
        }
    }

    /// <summary>Adds a new unscheduled pod to activeQ, or to the gated set when PreEnqueue rejects it (or updates it where it waits).</summary>
    public void Add(V1Pod pod)
    {
        lock (_lock)
        {
            var key = Key(pod);
            if (Update(key, pod))
            {
                return;
            }

            PushActiveOrGate(new QueuedPodInfo(pod, _time.GetUtcNow()));
        }
    }

    /// <summary>
    /// An unscheduled pod changed: update it where it waits; an unschedulable one moves to activeQ (or backoffQ while
    /// backing off) only when <paramref name="relevant"/> (its spec, labels or annotations changed, not just its status).
    /// </summary>
    public void Update(V1Pod oldPod, V1Pod newPod, bool relevant = true)
    {
        lock (_lock)
        {
            var key = Key(newPod);
            if (_gated.Remove(key, out var gated))
            {
                gated.Pod = newPod;
                PushActiveOrGate(gated);
                return;
            }

            if (_unschedulable.TryGetValue(key, out var info))
            {
                info.Pod = newPod;
                if (relevant)
                {
                    _unschedulable.Remove(key);
                    MoveLocked(info);
                }

                return;
            }

            if (!Update(key, newPod) && !_inFlight.Contains(key))
            {
                PushActiveOrGate(new QueuedPodInfo(newPod, _time.GetUtcNow()));
            }
        }
    }

    /// <summary>Forgets the pod wherever it waits.</summary>
    public void Delete(V1Pod pod)
    {
        lock (_lock)
        {
            var key = Key(pod);
            _unschedulable.Remove(key);
            _gated.Remove(key);
            if (_activeKeys.Remove(key))
            {
                Rebuild(_active, _activeKeys.Values, i => i);
            }

            if (_backoffKeys.Remove(key))
            {
                Rebuild(_backoff, _backoffKeys.Values, BackoffExpiry);
            }
        }
    }

    /// <summary>Waits for the next pod in activeQ; null once <see cref="Close"/> was called.</summary>
    public async Task<QueuedPodInfo?> PopAsync(CancellationToken ct)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return null;
                }

                while (_active.TryDequeue(out var info, out _))
                {
                    if (_activeKeys.Remove(info.Key))
                    {
                        info.Attempts++;
                        _schedulingCycle++;
                        _inFlight.Add(info.Key);
                        return info;
                    }
                }
            }

            await _signal.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A popped pod's attempt is over and it is not bound: back to the queue. With <paramref name="unschedulable"/> it
    /// waits in the unschedulable set (or backoffQ, if a move request came during the attempt); an error goes to backoffQ.
    /// </summary>
    public void AddUnschedulableIfNotPresent(QueuedPodInfo info, long podSchedulingCycle, bool unschedulable = true)
    {
        lock (_lock)
        {
            _inFlight.Remove(info.Key);
            if (_activeKeys.ContainsKey(info.Key) || _backoffKeys.ContainsKey(info.Key) || _unschedulable.ContainsKey(info.Key))
            {
                return;
            }

            info.Timestamp = _time.GetUtcNow();
            if (!unschedulable || _moveRequestCycle >= podSchedulingCycle)
            {
                PushBackoff(info);
            }
            else
            {
                _unschedulable[info.Key] = info;
            }
        }
    }

    /// <summary>A popped pod was bound (or given up on): it no longer counts as in flight.</summary>
    public void Done(string key)
    {
        lock (_lock)
        {
            _inFlight.Remove(key);
        }
    }

    /// <summary>
    /// A cluster event that could make unschedulable pods fit (upstream <c>MoveAllToActiveOrBackoffQueue</c>): every
    /// unschedulable pod goes to backoffQ if still backing off, else to activeQ.
    /// </summary>
    public void MoveAllToActiveOrBackoff(Func<QueuedPodInfo, bool>? which = null)
    {
        lock (_lock)
        {
            foreach (var info in _unschedulable.Values.Where(i => which?.Invoke(i) ?? true).ToList())
            {
                _unschedulable.Remove(info.Key);
                MoveLocked(info);
            }

            _moveRequestCycle = _schedulingCycle;
        }
    }

    /// <summary>Moves pods whose backoff expired to activeQ, and pods unschedulable for too long to activeQ/backoffQ.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_backoff.TryPeek(out var info, out var expiry) && expiry <= now)
            {
                _backoff.Dequeue();
                if (_backoffKeys.Remove(info.Key))
                {
                    PushActive(info);
                }
            }

            foreach (var info in _unschedulable.Values.Where(i => now - i.Timestamp > MaxUnschedulableDuration).ToList())
            {
                _unschedulable.Remove(info.Key);
                MoveLocked(info);
            }
        }
    }

    /// <summary>Wakes every waiting <see cref="PopAsync"/>, which then returns null.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        _signal.Release(int.MaxValue / 2);
    }

    /// <summary>Upstream's per-pod backoff: 1 s doubled per attempt after the first, at most 10 s.</summary>
    public static TimeSpan BackoffDuration(int attempts)
    {
        var d = InitialBackoff;
        for (var i = 1; i < attempts && d < MaxBackoff; i++)
        {
            d *= 2;
        }

        return d > MaxBackoff ? MaxBackoff : d;
    }

    private static DateTimeOffset BackoffExpiry(QueuedPodInfo info) => info.Timestamp + BackoffDuration(info.Attempts);

    private void MoveLocked(QueuedPodInfo info)
    {
        if (BackoffExpiry(info) > _time.GetUtcNow())
        {
            PushBackoff(info);
        }
        else
        {
            PushActive(info);
        }
    }

    private bool Update(string key, V1Pod pod)
    {
        if (_activeKeys.TryGetValue(key, out var a))
        {
            a.Pod = pod;
            return true;
        }

        if (_backoffKeys.TryGetValue(key, out var b))
        {
            b.Pod = pod;
            return true;
        }

        if (_unschedulable.TryGetValue(key, out var u))
        {
            u.Pod = pod;
            return true;
        }

        return false;
    }

    private void PushActiveOrGate(QueuedPodInfo info)
    {
        if (_preEnqueue(info.Pod) is { } rejected)
        {
            info.UnschedulablePlugins.Clear();
            info.UnschedulablePlugins.Add(rejected.Plugin);
            _gated[info.Key] = info;
            return;
        }

        PushActive(info);
    }

    private void PushActive(QueuedPodInfo info)
    {
        _activeKeys[info.Key] = info;
        _active.Enqueue(info, info);
        _signal.Release();
    }

    private void PushBackoff(QueuedPodInfo info)
    {
        _backoffKeys[info.Key] = info;
        _backoff.Enqueue(info, BackoffExpiry(info));
    }

    private static void Rebuild<TPriority>(PriorityQueue<QueuedPodInfo, TPriority> queue, IEnumerable<QueuedPodInfo> items, Func<QueuedPodInfo, TPriority> priority)
    {
        var list = items.ToList();
        queue.Clear();
        foreach (var i in list)
        {
            queue.Enqueue(i, priority(i));
        }
    }

    private static string Key(V1Pod pod) => pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
}
