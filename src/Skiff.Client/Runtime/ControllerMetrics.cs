using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Skiff.Client.Runtime;

/// <summary>
/// Reconcile metrics of every <see cref="Controller"/> through <see cref="System.Diagnostics.Metrics"/> on the meter
/// <see cref="MeterName"/>, with controller-runtime's names and a <c>controller</c> tag:
/// <c>controller_runtime_reconcile_total</c> (tag <c>result</c>: <c>success</c>, <c>requeue_after</c> or <c>error</c>),
/// <c>controller_runtime_reconcile_errors_total</c>, <c>controller_runtime_terminal_reconcile_errors_total</c>,
/// <c>controller_runtime_reconcile_time_seconds</c> and <c>controller_runtime_active_workers</c>. The work queue of a
/// controller built by <see cref="ControllerBuilder"/> reports upstream's <c>workqueue_*</c> metrics (named after the
/// controller) on <c>Skiff.Client.WorkQueue</c>. Export both meters with any OpenTelemetry or prometheus-net adapter.
/// </summary>
public static class ControllerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Skiff.Client.Runtime";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Total = Meter.CreateCounter<long>("controller_runtime_reconcile_total", description: "Total number of reconciliations per controller");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("controller_runtime_reconcile_errors_total", description: "Total number of reconciliation errors per controller");
    private static readonly Counter<long> Terminal = Meter.CreateCounter<long>("controller_runtime_terminal_reconcile_errors_total", description: "Total number of terminal reconciliation errors per controller");
    private static readonly Histogram<double> Time = Meter.CreateHistogram<double>("controller_runtime_reconcile_time_seconds", "s", "Length of time per reconciliation per controller");
    private static readonly UpDownCounter<int> Active = Meter.CreateUpDownCounter<int>("controller_runtime_active_workers", description: "Number of currently used workers per controller");

    internal static void Reconciled(string controller, string result, TimeSpan elapsed)
    {
        var tags = new TagList { { "controller", controller } };
        Time.Record(elapsed.TotalSeconds, tags);
        tags.Add("result", result);
        Total.Add(1, tags);
        if (result == "error")
        {
            Errors.Add(1, new TagList { { "controller", controller } });
        }
    }

    internal static void TerminalError(string controller) => Terminal.Add(1, new TagList { { "controller", controller } });

    internal static void Worker(string controller, int delta) => Active.Add(delta, new TagList { { "controller", controller } });
}
