using Prometheus;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// API Priority and Fairness metrics with upstream's names and labels
/// (<c>staging/src/k8s.io/apiserver/pkg/util/flowcontrol/metrics</c>): rejected, dispatched, in-queue, executing,
/// executing seats, wait duration, estimated seats and each level's nominal, lower, upper and current limits, in the
/// API server's registry.
/// </summary>
public sealed class FlowControlMetrics
{
    private static readonly double[] WaitBuckets = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

    private readonly Counter _rejected;
    private readonly Counter _dispatched;
    private readonly Gauge _inQueue;
    private readonly Gauge _executing;
    private readonly Histogram _wait;
    private readonly Gauge _nominalLimit;
    private readonly Gauge _lowerLimit;
    private readonly Gauge _upperLimit;
    private readonly Gauge _currentLimit;
    private readonly Gauge _executingSeats;
    private readonly Histogram _estimatedSeats;

    /// <summary>Creates the collectors in <paramref name="registry"/> (a fresh private registry when null).</summary>
    public FlowControlMetrics(CollectorRegistry? registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry ?? Prometheus.Metrics.NewCustomRegistry());
        factory.ExemplarBehavior = Skiff.ApiServer.Metrics.ApiServerMetrics.NoExemplars;
        _rejected = factory.CreateCounter("apiserver_flowcontrol_rejected_requests_total",
            "Number of requests rejected by API Priority and Fairness subsystem", ["flow_schema", "priority_level", "reason"]);
        _dispatched = factory.CreateCounter("apiserver_flowcontrol_dispatched_requests_total",
            "Number of requests executed by API Priority and Fairness subsystem", ["flow_schema", "priority_level"]);
        _inQueue = factory.CreateGauge("apiserver_flowcontrol_current_inqueue_requests",
            "Number of requests currently pending in queues of the API Priority and Fairness subsystem", ["flow_schema", "priority_level"]);
        _executing = factory.CreateGauge("apiserver_flowcontrol_current_executing_requests",
            "Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem",
            ["flow_schema", "priority_level"]);
        _wait = factory.CreateHistogram("apiserver_flowcontrol_request_wait_duration_seconds",
            "Length of time a request spent waiting in its queue", ["flow_schema", "priority_level", "execute"],
            new HistogramConfiguration { Buckets = WaitBuckets });
        _nominalLimit = factory.CreateGauge("apiserver_flowcontrol_nominal_limit_seats",
            "Nominal number of execution seats configured for each priority level", ["priority_level"]);
        _lowerLimit = factory.CreateGauge("apiserver_flowcontrol_lower_limit_seats",
            "Configured lower bound on number of execution seats available to each priority level", ["priority_level"]);
        _upperLimit = factory.CreateGauge("apiserver_flowcontrol_upper_limit_seats",
            "Configured upper bound on number of execution seats available to each priority level", ["priority_level"]);
        _currentLimit = factory.CreateGauge("apiserver_flowcontrol_current_limit_seats",
            "current derived number of execution seats available to each priority level", ["priority_level"]);
        _executingSeats = factory.CreateGauge("apiserver_flowcontrol_current_executing_seats",
            "Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem",
            ["flow_schema", "priority_level"]);
        _estimatedSeats = factory.CreateHistogram("apiserver_flowcontrol_work_estimated_seats",
            "Number of estimated seats (maximum of initial and final seats) associated with requests in API Priority and Fairness",
            ["priority_level", "flow_schema"], new HistogramConfiguration { Buckets = [1, 2, 4, 10] });
    }

    /// <summary>Counts a rejection (<paramref name="reason"/>: queue-full, concurrency-limit, time-out, cancelled).</summary>
    public void Rejected(string flowSchema, string priorityLevel, string reason) => _rejected.WithLabels(flowSchema, priorityLevel, reason).Inc();

    /// <summary>Records the wait of a request that was (or was not) let through.</summary>
    public void Waited(string flowSchema, string priorityLevel, bool executed, TimeSpan waited) =>
        _wait.WithLabels(flowSchema, priorityLevel, executed ? "true" : "false").Observe(waited.TotalSeconds);

    /// <summary>Moves the in-queue gauge by <paramref name="delta"/>.</summary>
    public void InQueue(string flowSchema, string priorityLevel, int delta) => _inQueue.WithLabels(flowSchema, priorityLevel).Inc(delta);

    /// <summary>
    /// Moves the executing gauges by <paramref name="delta"/> requests and <paramref name="seats"/> seats (and counts a
    /// dispatch when they rise).
    /// </summary>
    public void Executing(string flowSchema, string priorityLevel, int delta, int seats)
    {
        _executing.WithLabels(flowSchema, priorityLevel).Inc(delta);
        _executingSeats.WithLabels(flowSchema, priorityLevel).Inc(seats);
        if (delta > 0)
        {
            _dispatched.WithLabels(flowSchema, priorityLevel).Inc(delta);
        }
    }

    /// <summary>Records a request's estimated seats.</summary>
    public void Estimated(string flowSchema, string priorityLevel, int seats) => _estimatedSeats.WithLabels(priorityLevel, flowSchema).Observe(seats);

    /// <summary>Sets a level's nominal concurrency limit and its lower and upper bounds.</summary>
    public void Limits(string priorityLevel, int nominal, int lower, int upper)
    {
        _nominalLimit.WithLabels(priorityLevel).Set(nominal);
        _lowerLimit.WithLabels(priorityLevel).Set(lower);
        _upperLimit.WithLabels(priorityLevel).Set(upper);
    }

    /// <summary>Sets a level's current (borrowing-adjusted) concurrency limit.</summary>
    public void CurrentLimit(string priorityLevel, int seats) => _currentLimit.WithLabels(priorityLevel).Set(seats);
}
