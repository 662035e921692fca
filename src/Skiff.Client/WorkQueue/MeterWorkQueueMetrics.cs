using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// Reports a queue's metrics through <see cref="System.Diagnostics.Metrics"/> on the meter
/// <c>Skiff.Client.WorkQueue</c>, with upstream's names (<c>workqueue_depth</c>, <c>workqueue_adds_total</c>,
/// <c>workqueue_queue_duration_seconds</c>, <c>workqueue_work_duration_seconds</c>, <c>workqueue_retries_total</c>)
/// <c>workqueue_unfinished_work_seconds</c>, <c>workqueue_longest_running_processor_seconds</c>) and a <c>name</c> tag.
/// The last two are observed when read: the seconds that items handed out and not yet done have been in progress,
/// summed, and the longest of them.
/// </summary>
public sealed class MeterWorkQueueMetrics : IWorkQueueMetrics
{
    private static readonly Meter Meter = new("Skiff.Client.WorkQueue");
    private static readonly UpDownCounter<int> Depth = Meter.CreateUpDownCounter<int>("workqueue_depth");
    private static readonly Counter<long> Adds = Meter.CreateCounter<long>("workqueue_adds_total");
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("workqueue_queue_duration_seconds", "s");
    private static readonly Histogram<double> Work = Meter.CreateHistogram<double>("workqueue_work_duration_seconds", "s");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("workqueue_retries_total");
    private static readonly List<WeakReference<MeterWorkQueueMetrics>> Live = [];

    private readonly TagList _tags;
    private readonly TimeProvider _time;
    private readonly List<long> _inProgress = [];

    static MeterWorkQueueMetrics()
    {
        Meter.CreateObservableGauge("workqueue_unfinished_work_seconds", () => Observe(m => m.Unfinished(longest: false)), "s",
            "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.");
        Meter.CreateObservableGauge("workqueue_longest_running_processor_seconds", () => Observe(m => m.Unfinished(longest: true)), "s",
            "How many seconds has the longest running processor for workqueue been running.");
    }

    /// <summary>Reports for the queue <paramref name="name"/>, timing in-progress work on <paramref name="time"/> (default: the system clock).</summary>
    public MeterWorkQueueMetrics(string name, TimeProvider? time = null)
    {
        _tags = new TagList { { "name", name } };
        _time = time ?? TimeProvider.System;
        lock (Live)
        {
            Live.RemoveAll(w => !w.TryGetTarget(out _));
            Live.Add(new WeakReference<MeterWorkQueueMetrics>(this));
        }
    }

    private static List<Measurement<double>> Observe(Func<MeterWorkQueueMetrics, double> value)
    {
        var result = new List<Measurement<double>>();
        lock (Live)
        {
            foreach (var w in Live)
            {
                if (w.TryGetTarget(out var m))
                {
                    result.Add(new Measurement<double>(value(m), m._tags));
                }
            }
        }

        return result;
    }

    private double Unfinished(bool longest)
    {
        var now = _time.GetTimestamp();
        lock (_inProgress)
        {
            double total = 0, max = 0;
            foreach (var start in _inProgress)
            {
                var seconds = _time.GetElapsedTime(start, now).TotalSeconds;
                total += seconds;
                max = Math.Max(max, seconds);
            }

            return longest ? max : total;
        }
    }

    public void Added(int depth)
    {
        Adds.Add(1, _tags);
        Depth.Add(1, _tags);
    }

    public void Taken(TimeSpan latency, int depth)
    {
        Depth.Add(-1, _tags);
        Latency.Record(latency.TotalSeconds, _tags);
        lock (_inProgress)
        {
            _inProgress.Add(_time.GetTimestamp());
        }
    }

    public void Completed(TimeSpan duration)
    {
        Work.Record(duration.TotalSeconds, _tags);

        // Items are not named here: forget the in-progress start closest to when this one started.
        var started = _time.GetTimestamp() - (long)(duration.TotalSeconds * _time.TimestampFrequency);
        lock (_inProgress)
        {
            var best = -1;
            for (var i = 0; i < _inProgress.Count; i++)
            {
                if (best < 0 || Math.Abs(_inProgress[i] - started) < Math.Abs(_inProgress[best] - started))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                _inProgress.RemoveAt(best);
            }
        }
    }

    public void Retried() => Retries.Add(1, _tags);
}
