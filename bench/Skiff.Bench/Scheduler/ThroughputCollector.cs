using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// Upstream scheduler_perf's <c>throughputCollector</c>: counts the pods of one namespace that an informer event shows
/// going from unassigned to assigned (the bench registers it on the scheduler's own pod informer, as upstream does),
/// and every second records the pods scheduled since the last sample divided by the time since it. The first non-zero
/// sample is skipped (sampling and pod creation start independently), an interval with no new pod is folded into the
/// next sample (recorded once per interval it spans). <see cref="Summary"/> gives upstream's <c>SchedulingThroughput</c>
/// data item: the average and the nearest-rank percentiles of the samples, in pods/s.
/// </summary>
internal sealed class ThroughputCollector : IResourceEventHandler<V1Pod>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly object _lock = new();
    private readonly List<double> _samples = [];
    private string? _ns;
    private int _scheduled;

    /// <summary>The pods seen scheduled in the current namespace.</summary>
    public int Scheduled
    {
        get
        {
            lock (_lock)
            {
                return _scheduled;
            }
        }
    }

    /// <summary>Samples <paramref name="ns"/> until <paramref name="ct"/> is cancelled, then returns the samples (pods/s).</summary>
    public async Task<IReadOnlyList<double>> RunAsync(string ns, CancellationToken ct)
    {
        lock (_lock)
        {
            _ns = ns;
            _scheduled = 0;
            _samples.Clear();
        }

        using var timer = new PeriodicTimer(Interval);
        var last = 0;
        var lastTime = DateTime.UtcNow;
        var started = false;
        var skipped = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var now = DateTime.UtcNow;
                var scheduled = Scheduled;
                if (scheduled == 0)
                {
                    continue;
                }

                if (!started)
                {
                    (started, last, lastTime) = (true, scheduled, now);
                    continue;
                }

                if (scheduled == last)
                {
                    skipped++;
                    continue;
                }

                var throughput = (scheduled - last) / (now - lastTime).TotalSeconds;
                lock (_lock)
                {
                    for (var i = 0; i <= skipped; i++)
                    {
                        _samples.Add(throughput);
                    }
                }

                (last, lastTime, skipped) = (scheduled, now, 0);
            }
        }
        catch (OperationCanceledException)
        {
            // The measured phase ended.
        }

        lock (_lock)
        {
            _ns = null;
            return [.. _samples];
        }
    }

    /// <summary>Upstream's summary of the samples: Average, Perc50, Perc90, Perc99 (nearest rank); NaNs when there are none.</summary>
    public static (double Average, double P50, double P90, double P99) Summary(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            return (double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = samples.Order().ToArray();
        double Rank(int p) => sorted[(int)Math.Ceiling(sorted.Length * p / 100.0) - 1];
        return (sorted.Average(), Rank(50), Rank(90), Rank(99));
    }

    public void OnAdd(V1Pod obj, bool isInInitialList) => Changed(null, obj);

    public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Changed(oldObj, newObj);

    public void OnDelete(V1Pod obj, bool isFinalStateUnknown)
    {
    }

    private void Changed(V1Pod? oldPod, V1Pod pod)
    {
        if (string.IsNullOrEmpty(pod.Spec?.NodeName) || !string.IsNullOrEmpty(oldPod?.Spec?.NodeName))
        {
            return;
        }

        lock (_lock)
        {
            if (_ns is not null && pod.Metadata.NamespaceProperty == _ns)
            {
                _scheduled++;
            }
        }
    }
}
