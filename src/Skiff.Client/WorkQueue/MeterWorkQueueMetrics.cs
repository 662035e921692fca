using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Skiff.Client.WorkQueue;

/// <summary>
/// Reports a queue's metrics through <see cref="System.Diagnostics.Metrics"/> on the meter
/// <c>Skiff.Client.WorkQueue</c>, with upstream's names (<c>workqueue_depth</c>, <c>workqueue_adds_total</c>,
/// <c>workqueue_queue_duration_seconds</c>, <c>workqueue_work_duration_seconds</c>, <c>workqueue_retries_total</c>)
/// and a <c>name</c> tag.
/// </summary>
public sealed class MeterWorkQueueMetrics : IWorkQueueMetrics
{
    private static readonly Meter Meter = new("Skiff.Client.WorkQueue");
    private static readonly UpDownCounter<int> Depth = Meter.CreateUpDownCounter<int>("workqueue_depth");
    private static readonly Counter<long> Adds = Meter.CreateCounter<long>("workqueue_adds_total");
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("workqueue_queue_duration_seconds", "s");
    private static readonly Histogram<double> Work = Meter.CreateHistogram<double>("workqueue_work_duration_seconds", "s");
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("workqueue_retries_total");

    private readonly TagList _tags;

    public MeterWorkQueueMetrics(string name)
    {
        _tags = new TagList { { "name", name } };
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
    }

    public void Completed(TimeSpan duration) => Work.Record(duration.TotalSeconds, _tags);

    public void Retried() => Retries.Add(1, _tags);
}
