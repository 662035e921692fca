using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Skiff.Scheduler;

/// <summary>
/// The scheduler's instruments on the meter <c>Skiff.Scheduler</c>, named as upstream's:
/// <c>scheduler_schedule_attempts_total{result,profile}</c>, <c>scheduler_scheduling_attempt_duration_seconds{result,profile}</c>,
/// <c>scheduler_scheduling_algorithm_duration_seconds</c> and <c>scheduler_pending_pods{queue}</c> (active, backoff, unschedulable, gated) over the live schedulers.
/// </summary>
internal static class SchedulerMetrics
{
    private static readonly Meter Meter = new("Skiff.Scheduler");
    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("scheduler_schedule_attempts_total", null,
        "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("scheduler_scheduling_attempt_duration_seconds", "s",
        "Scheduling attempt latency in seconds (scheduling algorithm + binding)");
    private static readonly Histogram<double> Algorithm = Meter.CreateHistogram<double>("scheduler_scheduling_algorithm_duration_seconds", "s",
        "Scheduling algorithm latency in seconds");
    private static readonly List<WeakReference<Scheduler>> Live = [];

    static SchedulerMetrics()
    {
        Meter.CreateObservableGauge("scheduler_pending_pods", Pending, null,
            "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.");
    }

    public static void Track(Scheduler scheduler)
    {
        lock (Live)
        {
            Live.RemoveAll(w => !w.TryGetTarget(out _));
            Live.Add(new WeakReference<Scheduler>(scheduler));
        }
    }

    public static void Attempt(string result, string profile, TimeSpan duration)
    {
        var tags = new TagList { { "result", result }, { "profile", profile } };
        Attempts.Add(1, tags);
        Duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records one run of the scheduling algorithm (snapshot, filter, score), as upstream's <c>SchedulingAlgorithmLatency</c>.</summary>
    public static void AlgorithmDuration(TimeSpan duration) => Algorithm.Record(duration.TotalSeconds);

    private static List<Measurement<long>> Pending()
    {
        long active = 0, backoff = 0, unschedulable = 0, gated = 0;
        lock (Live)
        {
            foreach (var w in Live)
            {
                if (w.TryGetTarget(out var s))
                {
                    var (a, b, u) = s.Queue.Counts;
                    (active, backoff, unschedulable) = (active + a, backoff + b, unschedulable + u);
                    gated += s.Queue.GatedCount;
                }
            }
        }

        return
        [
            new(active, new KeyValuePair<string, object?>("queue", "active")),
            new(backoff, new KeyValuePair<string, object?>("queue", "backoff")),
            new(unschedulable, new KeyValuePair<string, object?>("queue", "unschedulable")),
            new(gated, new KeyValuePair<string, object?>("queue", "gated")),
        ];
    }
}
