using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.WorkQueue;

public class MeterWorkQueueMetricsTests
{
    [Fact]
    public async Task UnfinishedAndLongestRunning_TrackItemsHandedOutAndNotDone()
    {
        var time = new FakeTimeProvider();
        var name = "unfinished-" + Guid.NewGuid().ToString("N");
        var q = new WorkQueue<string>(new WorkQueueOptions { Name = name, TimeProvider = time });
        q.Add("a");
        q.Add("b");
        var a = await q.GetAsync();
        time.Advance(TimeSpan.FromSeconds(3));
        var b = await q.GetAsync();
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(5 + 2, Read("workqueue_unfinished_work_seconds", name), 3);
        Assert.Equal(5, Read("workqueue_longest_running_processor_seconds", name), 3);

        q.Done(a);
        Assert.Equal(2, Read("workqueue_unfinished_work_seconds", name), 3);
        Assert.Equal(2, Read("workqueue_longest_running_processor_seconds", name), 3);
        q.Done(b);
        Assert.Equal(0, Read("workqueue_unfinished_work_seconds", name), 3);
    }

    private static double Read(string instrument, string queue)
    {
        double? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == "Skiff.Client.WorkQueue" && i.Name == instrument)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Key == "name" && (string?)t.Value == queue)
                {
                    value = v;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"{instrument} has no series for {queue}");
    }
}
