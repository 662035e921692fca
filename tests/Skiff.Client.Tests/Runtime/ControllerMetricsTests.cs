using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Skiff.Client.Runtime;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

/// <summary>controller-runtime's reconcile metrics, observed with a <see cref="MeterListener"/>, per controller name.</summary>
public sealed class ControllerMetricsTests
{
    private sealed class Reconciler(Queue<Func<ReconcileResult>> steps) : IReconciler
    {
        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct) => Task.FromResult(steps.Dequeue()());
    }

    [Fact]
    public async Task Reconciles_AreCountedByResult_ErrorsCounted_TimeRecorded()
    {
        var name = $"metrics-{Guid.NewGuid():N}";
        var counts = new ConcurrentDictionary<(string Instrument, string Result), long>();
        var times = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == ControllerMetrics.MeterName)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) =>
        {
            string? controller = null, result = null;
            foreach (var t in tags)
            {
                controller = t.Key == "controller" ? (string?)t.Value : controller;
                result = t.Key == "result" ? (string?)t.Value : result;
            }

            if (controller == name)
            {
                counts.AddOrUpdate((i.Name, result ?? ""), v, (_, n) => n + v);
            }
        });
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (i.Name == "controller_runtime_reconcile_time_seconds" && t.Key == "controller" && (string?)t.Value == name)
                {
                    times.Add(v);
                }
            }
        });
        listener.Start();

        var steps = new Queue<Func<ReconcileResult>>([
            () => ReconcileResult.Done,
            () => ReconcileResult.After(TimeSpan.FromHours(1)),
            () => throw new InvalidOperationException("boom"),
            () => throw new TerminalReconcileException("never"),
        ]);
        var controller = new Controller(name, new Reconciler(steps), new RateLimitingQueue<ReconcileRequest>(options: new WorkQueueOptions()));
        for (var i = 0; i < 4; i++)
        {
            controller.Queue.Add(new ReconcileRequest("ns", $"o{i}"));
            Assert.True(await controller.ProcessNextAsync(CancellationToken.None));
        }

        Assert.Equal(1, counts[("controller_runtime_reconcile_total", "success")]);
        Assert.Equal(1, counts[("controller_runtime_reconcile_total", "requeue_after")]);
        Assert.Equal(2, counts[("controller_runtime_reconcile_total", "error")]);
        Assert.Equal(2, counts[("controller_runtime_reconcile_errors_total", "")]);
        Assert.Equal(1, counts[("controller_runtime_terminal_reconcile_errors_total", "")]);
        Assert.Equal(4, times.Count);
        Assert.All(times, t => Assert.True(t >= 0));
    }
}
