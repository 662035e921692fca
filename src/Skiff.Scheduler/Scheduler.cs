using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Runtime;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler;

/// <summary>
/// The scheduling loop (upstream <c>pkg/scheduler</c> <c>Scheduler</c>), a <see cref="IRunnable"/> of a client
/// <see cref="Manager"/>: pod and node informers feed the <see cref="SchedulingQueue"/> (unassigned pods of a configured
/// profile) and the <see cref="SchedulerCache"/> (nodes and assigned pods). One cycle at a time it pops a pod, filters
/// the snapshot's nodes (up to the percentage of nodes to score, rotating the start), scores the feasible ones,
/// assumes the pod on the best node, runs Reserve and Permit, and binds in the background (PreBind, Bind) so the next
/// cycle can start. A pod that fits nowhere gets a <c>FailedScheduling</c> event, the <c>PodScheduled=False</c>
/// condition (reason <c>Unschedulable</c>) and waits in the queue for a cluster event.
/// </summary>
public sealed partial class Scheduler : IRunnable
{
    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;

    /// <summary>Below this many nodes to check, filtering and scoring stay on the loop's thread.</summary>
    private const int MinNodesForParallelism = 128;

    private readonly Dictionary<string, Profile> _profiles;
    private readonly Manager _manager;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EventRecorder _events;
    private readonly Snapshot _snapshot = new();
    private readonly object _bindingsLock = new();
    private readonly HashSet<Task> _bindings = [];
    private int _nextStartNodeIndex;

    /// <summary>Builds the scheduler and registers its informer handlers on <paramref name="manager"/>; add it with <see cref="Manager.Add"/>.</summary>
    public Scheduler(Manager manager, IEnumerable<Profile> profiles, SchedulerOptions options)
    {
        _manager = manager;
        _options = options;
        _time = options.TimeProvider;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Scheduler");
        _profiles = profiles.ToDictionary(p => p.SchedulerName, StringComparer.Ordinal);
        if (_profiles.Count == 0)
        {
            throw new ArgumentException("at least one profile is required", nameof(profiles));
        }

        Queue = new SchedulingQueue(new QueueOrder(_profiles.Values.First().QueueSort), _time,
            pod => _profiles.TryGetValue(SchedulerNameOf(pod), out var p) ? p.RunPreEnqueue(pod) : null);
        _events = new EventRecorder(manager.Clientset, SchedulerOptions.DefaultSchedulerName, timeProvider: _time, loggerFactory: options.LoggerFactory);
        SchedulerMetrics.Track(this);
        var pods = manager.Informers.Informer<V1Pod>();
        var nodes = manager.Informers.Informer<V1Node>();
        pods.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => OnPodAdd(p), OnPodUpdate, (p, _) => OnPodDelete(p)));
        nodes.AddEventHandler(new ResourceEventHandler<V1Node>((n, _) => OnNodeAdd(n), (_, n) => OnNodeAdd(n), (n, _) => Cache.RemoveNode(n)));
        RegisterEvent<V1PersistentVolumeClaim>(ClusterEvent.Storage);
        RegisterEvent<V1PersistentVolume>(ClusterEvent.Storage);
        RegisterEvent<V1StorageClass>(ClusterEvent.Storage);
        RegisterEvent<V1Namespace>(ClusterEvent.Namespace);
    }

    public SchedulingQueue Queue { get; }

    public SchedulerCache Cache { get; } = new();

    /// <summary>The profiles by <c>schedulerName</c>.</summary>
    public IReadOnlyDictionary<string, Profile> Profiles => _profiles;

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken ct)
    {
        LogStarting(string.Join(",", _profiles.Keys));
        var flush = FlushLoopAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                QueuedPodInfo? info;
                try
                {
                    info = await Queue.PopAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }

                if (info is null)
                {
                    break;
                }

                await ScheduleOneAsync(info, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            Queue.Close();
            await flush.ConfigureAwait(false);
            Task[] pending;
            lock (_bindingsLock)
            {
                pending = [.. _bindings];
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
            await _events.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One scheduling cycle for <paramref name="info"/> (upstream <c>ScheduleOne</c>).</summary>
    internal async Task ScheduleOneAsync(QueuedPodInfo info, CancellationToken ct)
    {
        var pod = info.Pod;
        var cycle = Queue.SchedulingCycle;
        if (pod.Metadata.DeletionTimestamp is not null || Cache.IsAssumed(pod.Metadata.Uid) || !_profiles.TryGetValue(SchedulerNameOf(pod), out var profile))
        {
            Queue.Done(info.Key);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        Cache.UpdateSnapshot(_snapshot);
        var state = new CycleState
        {
            AllNodes = _snapshot.Nodes,
            NodesWithAffinityPods = _snapshot.NodesWithAffinityPods,
            NodesWithRequiredAntiAffinityPods = _snapshot.NodesWithRequiredAntiAffinityPods,
        };
        var result = SchedulePod(profile, state, pod);
        SchedulerMetrics.AlgorithmDuration(Stopwatch.GetElapsedTime(start));
        if (result.Node is null)
        {
            var message = result.Message!;
            string? nominated = null;
            if (result.Statuses is { } statuses && profile.PostFilter.Count > 0 && statuses.Values.Any(s => s.Code == Code.Unschedulable || s.Code == Code.UnschedulableAndUnresolvable))
            {
                foreach (var p in profile.PostFilter)
                {
                    try
                    {
                        var (node, s) = await p.PostFilterAsync(state, pod, _snapshot.Nodes, statuses, ct).ConfigureAwait(false);
                        nominated ??= node;
                        if (s is not null && s.Message.Length > 0)
                        {
                            message += " preemption: " + s.Message;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogPostFilterFailed(info.Key, e.Message);
                    }
                }
            }

            SchedulerMetrics.Attempt(result.Error ? "error" : "unschedulable", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
            await HandleFailureAsync(info, cycle, message, nominated, unschedulable: !result.Error, ct, Rejectors(result.Statuses)).ConfigureAwait(false);
            return;
        }

        var host = result.Node;
        Cache.AssumePod(pod, host);
        foreach (var r in profile.Reserve)
        {
            if (r.Reserve(state, pod, host) is { } s)
            {
                Unreserve(profile, state, pod, host);
                Cache.ForgetPod(pod);
                SchedulerMetrics.Attempt("error", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
                await HandleFailureAsync(info, cycle, s.Message, null, s.IsRejected, ct, [s.Plugin]).ConfigureAwait(false);
                return;
            }
        }

        var waits = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var p in profile.Permit)
        {
            var (s, timeout) = p.Permit(state, pod, host);
            if (s?.Code == Code.Wait)
            {
                waits[p.Name] = timeout;
                continue;
            }

            if (s is not null)
            {
                s.Plugin = p.Name;
                Unreserve(profile, state, pod, host);
                Cache.ForgetPod(pod);
                SchedulerMetrics.Attempt(s.IsRejected ? "unschedulable" : "error", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
                await HandleFailureAsync(info, cycle, s.Message, null, s.IsRejected, ct, [s.Plugin]).ConfigureAwait(false);
                return;
            }
        }

        if (waits.Count > 0)
        {
            // Upstream's waitingPod: the binding cycle blocks in WaitOnPermit until every waiting plugin allows it.
            profile.WaitingPods.Add(new WaitingPod(pod, host, waits, _time));
        }

        Track(BindAsync(profile, state, info, cycle, host, start, ct));
    }

    /// <summary>Filters and scores; the chosen node, or the failure message (and the per-node statuses for PostFilter).</summary>
    internal ScheduleResult SchedulePod(Profile profile, CycleState state, V1Pod pod)
    {
        var all = _snapshot.Nodes;
        if (all.Count == 0)
        {
            return new ScheduleResult(null, "no nodes available to schedule pods", null, false);
        }

        var pre = profile.RunPreFilter(state, pod, all);
        if (pre is not null)
        {
            if (pre.Code == Code.Error)
            {
                return new ScheduleResult(null, $"running PreFilter plugin {pre.Plugin}: {pre.Message}", null, true);
            }

            var statuses = all.ToDictionary(n => n.Name, _ => pre, StringComparer.Ordinal);
            return new ScheduleResult(null, FitErrorMessage(all.Count, pre.Message, statuses), statuses, false);
        }

        var toFind = NumFeasibleNodesToFind(all.Count);
        var workers = Workers(all.Count);
        var (feasible, failed, processed, error) = workers > 1
            ? FindFeasibleParallel(profile, state, pod, all, toFind, workers)
            : FindFeasible(profile, state, pod, all, toFind);
        if (error is not null)
        {
            return new ScheduleResult(null, $"running \"{error.Plugin}\" filter plugin: {error.Message}", null, true);
        }

        _nextStartNodeIndex = (_nextStartNodeIndex + processed) % all.Count;
        if (feasible.Count == 0)
        {
            return new ScheduleResult(null, FitErrorMessage(all.Count, null, failed), failed, false);
        }

        if (feasible.Count == 1)
        {
            return new ScheduleResult(feasible[0].Name, null, null, false);
        }

        var scores = profile.RunScore(state, pod, feasible, Workers(feasible.Count));
        return new ScheduleResult(SelectHost(feasible, scores), null, null, false);
    }

    /// <summary>Workers for <paramref name="items"/> nodes: upstream's parallelism, capped by the processors; 1 below <see cref="MinNodesForParallelism"/>.</summary>
    private int Workers(int items) => items < MinNodesForParallelism ? 1 : Math.Max(1, Math.Min(_options.Parallelism, Environment.ProcessorCount));

    /// <summary>Filters nodes in order from the rotating start until <paramref name="toFind"/> fit.</summary>
    private FilterResult FindFeasible(Profile profile, CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> all, int toFind)
    {
        var feasible = new List<NodeInfo>(Math.Min(toFind, all.Count));
        var failed = new Dictionary<string, Status>(StringComparer.Ordinal);
        var processed = 0;
        for (; processed < all.Count && feasible.Count < toFind; processed++)
        {
            var node = all[(_nextStartNodeIndex + processed) % all.Count];
            var s = profile.RunFilter(state, pod, node);
            if (s is null)
            {
                feasible.Add(node);
            }
            else if (s.Code == Code.Error)
            {
                return new FilterResult(feasible, failed, processed, s);
            }
            else
            {
                failed[node.Name] = s;
            }
        }

        return new FilterResult(feasible, failed, processed, null);
    }

    /// <summary>
    /// Upstream's <c>findNodesThatPassFilters</c>: <paramref name="workers"/> filter nodes from the rotating start at
    /// once and stop once <paramref name="toFind"/> fit; the nodes processed are the feasible plus the failed ones.
    /// Filter plugins only read the cycle state, so they run concurrently.
    /// </summary>
    private FilterResult FindFeasibleParallel(Profile profile, CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> all, int toFind, int workers)
    {
        var n = all.Count;
        var start = _nextStartNodeIndex;
        var found = new NodeInfo?[n];
        var statuses = new Status?[n];
        var feasibleCount = 0;
        Status? error = null;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers }, (i, loop) =>
        {
            if (Volatile.Read(ref feasibleCount) >= toFind)
            {
                loop.Stop();
                return;
            }

            var node = all[(start + i) % n];
            var s = profile.RunFilter(state, pod, node);
            if (s is null)
            {
                if (Interlocked.Increment(ref feasibleCount) <= toFind)
                {
                    found[i] = node;
                }
            }
            else if (s.Code == Code.Error)
            {
                Interlocked.CompareExchange(ref error, s, null);
                loop.Stop();
            }
            else
            {
                statuses[i] = s;
            }
        });

        var feasible = new List<NodeInfo>(Math.Min(toFind, n));
        var failed = new Dictionary<string, Status>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if (found[i] is { } node)
            {
                feasible.Add(node);
            }
            else if (statuses[i] is { } s)
            {
                failed[all[(start + i) % n].Name] = s;
            }
        }

        return new FilterResult(feasible, failed, feasible.Count + failed.Count, error);
    }

    /// <summary>Upstream's <c>numFeasibleNodesToFind</c> with the adaptive default percentage.</summary>
    internal int NumFeasibleNodesToFind(int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind)
        {
            return numAllNodes;
        }

        var percentage = _options.PercentageOfNodesToScore;
        if (percentage <= 0)
        {
            percentage = Math.Max(50 - (numAllNodes / 125), MinFeasibleNodesPercentageToFind);
        }

        if (percentage >= 100)
        {
            return numAllNodes;
        }

        return Math.Max(numAllNodes * percentage / 100, MinFeasibleNodesToFind);
    }

    /// <summary>
    /// Upstream's <c>FitError.Error()</c>: <c>0/N nodes are available: </c> then the PreFilter message, or the reasons
    /// counted over the nodes, as <c>count reason</c> sorted as strings and joined by <c>, </c>, ending with a period.
    /// </summary>
    internal static string FitErrorMessage(int numAllNodes, string? preFilterMessage, IReadOnlyDictionary<string, Status> statuses)
    {
        var message = $"0/{numAllNodes} nodes are available:";
        if (!string.IsNullOrEmpty(preFilterMessage))
        {
            return message + " " + preFilterMessage + ".";
        }

        var histogram = statuses.Values.SelectMany(s => s.Reasons).GroupBy(r => r, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal).ToList();
        return histogram.Count == 0 ? message : message + " " + string.Join(", ", histogram) + ".";
    }

    private static string SelectHost(List<NodeInfo> nodes, long[] scores)
    {
        var best = 0;
        var ties = 1;
        for (var i = 1; i < nodes.Count; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
                ties = 1;
            }
            else if (scores[i] == scores[best])
            {
                ties++;
#pragma warning disable CA5394 // Tie-breaking is not security-sensitive.
                if (Random.Shared.Next(ties) == 0)
#pragma warning restore CA5394
                {
                    best = i;
                }
            }
        }

        return nodes[best].Name;
    }

    /// <summary>Moves pods back on adds and changes of <typeparamref name="T"/> (initial list included).</summary>
    private void RegisterEvent<T>(ClusterEvent e)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        _manager.Informers.Informer<T>().AddEventHandler(new ResourceEventHandler<T>((_, initial) =>
        {
            if (!initial)
            {
                MoveFor(e);
            }
        }, (_, _) => MoveFor(e), (_, _) => { }));
    }

    /// <summary>The plugins whose rejections failed the attempt (upstream's <c>UnschedulablePlugins</c>).</summary>
    private static HashSet<string> Rejectors(IReadOnlyDictionary<string, Status>? statuses) =>
        statuses is null ? [] : [.. statuses.Values.Where(st => st.IsRejected && st.Plugin.Length > 0).Select(st => st.Plugin)];

    private static string SchedulerNameOf(V1Pod pod) => string.IsNullOrEmpty(pod.Spec?.SchedulerName) ? SchedulerOptions.DefaultSchedulerName : pod.Spec.SchedulerName;

    private static void Unreserve(Profile profile, CycleState state, V1Pod pod, string host)
    {
        for (var i = profile.Reserve.Count - 1; i >= 0; i--)
        {
            profile.Reserve[i].Unreserve(state, pod, host);
        }
    }

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                Queue.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private sealed record FilterResult(List<NodeInfo> Feasible, Dictionary<string, Status> Failed, int Processed, Status? Error);

    internal sealed record ScheduleResult(string? Node, string? Message, IReadOnlyDictionary<string, Status>? Statuses, bool Error);

    private sealed class QueueOrder(IQueueSortPlugin sort) : IComparer<QueuedPodInfo>
    {
        public int Compare(QueuedPodInfo? x, QueuedPodInfo? y) => x is null || y is null ? 0 : sort.Less(x, y) ? -1 : sort.Less(y, x) ? 1 : 0;
    }
}
