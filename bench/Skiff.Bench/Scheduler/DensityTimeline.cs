using System.Diagnostics;
using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// When each pod of the density namespace was first seen, first seen bound and first seen Running on a watch
/// (monotonic clock, ms), grouped by its <c>group</c> label — clusterloader2's PodStartupLatency: "create" is the first
/// time the watch sees the pod, "schedule" the first time it sees <c>spec.nodeName</c>, "run"/"watch" the first time it
/// sees phase Running; <c>pod_startup</c> is create → watch.
/// </summary>
internal sealed class DensityTimeline(string ns) : IResourceEventHandler<V1Pod>
{
    private readonly object _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, Entry> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _created = new(StringComparer.Ordinal);
    private readonly List<(string Group, int Count, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Milliseconds on the timeline's clock now.</summary>
    public double Now => _clock.Elapsed.TotalMilliseconds;

    /// <summary>Completes when <paramref name="count"/> pods of <paramref name="group"/> have been seen Running.</summary>
    public Task RunningAsync(string group, int count)
    {
        lock (_lock)
        {
            if (_running.GetValueOrDefault(group) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((group, count, done));
            return done.Task;
        }
    }

    /// <summary>How many pods of <paramref name="group"/> have been seen, and seen Running.</summary>
    public (int Created, int Running) Counts(string group)
    {
        lock (_lock)
        {
            return (_created.GetValueOrDefault(group), _running.GetValueOrDefault(group));
        }
    }

    /// <summary>The group's latencies over its pods seen Running, and its first creation and last Running (ms).</summary>
    public GroupLatencies Latencies(string group)
    {
        lock (_lock)
        {
            var all = _pods.Values.Where(p => p.Group == group).ToList();
            var done = all.Where(p => p.Scheduled is not null && p.Running is not null).ToList();
            return new GroupLatencies(
                [.. done.Select(p => p.Scheduled!.Value - p.Created)],
                [.. done.Select(p => p.Running!.Value - p.Scheduled!.Value)],
                [.. done.Select(p => p.Running!.Value - p.Created)],
                all.Count == 0 ? 0 : all.Min(p => p.Created),
                all.Count == 0 ? 0 : all.Max(p => p.Created),
                done.Count == 0 ? 0 : done.Max(p => p.Running!.Value));
        }
    }

    public void OnAdd(V1Pod obj, bool isInInitialList) => Seen(obj);

    public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Seen(newObj);

    public void OnDelete(V1Pod obj, bool isFinalStateUnknown)
    {
    }

    private void Seen(V1Pod pod)
    {
        if (pod.Metadata.NamespaceProperty != ns)
        {
            return;
        }

        var now = Now;
        lock (_lock)
        {
            if (!_pods.TryGetValue(pod.Metadata.Uid, out var t))
            {
                t = new Entry(pod.Metadata.Labels is { } labels && labels.TryGetValue("group", out var group) ? group : "", now, null, null);
                _created[t.Group] = _created.GetValueOrDefault(t.Group) + 1;
            }

            if (t.Scheduled is null && !string.IsNullOrEmpty(pod.Spec?.NodeName))
            {
                t = t with { Scheduled = now };
            }

            if (t.Running is null && pod.Status?.Phase == "Running")
            {
                t = t with { Running = now, Scheduled = t.Scheduled ?? now };
                var running = _running[t.Group] = _running.GetValueOrDefault(t.Group) + 1;
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Group == t.Group && running >= _waiters[i].Count)
                    {
                        _waiters[i].Done.TrySetResult();
                        _waiters.RemoveAt(i);
                    }
                }
            }

            _pods[pod.Metadata.Uid] = t;
        }
    }

    private sealed record Entry(string Group, double Created, double? Scheduled, double? Running);
}

/// <summary>One group's latencies (ms) and the span of its creations and Running pods on the timeline's clock.</summary>
internal sealed record GroupLatencies(
    List<double> ToScheduled, List<double> ToRunning, List<double> Startup, double FirstCreated, double LastCreated, double LastRunning);
