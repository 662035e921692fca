using Microsoft.Extensions.Time.Testing;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.WorkQueue;

public class RateLimitingQueueTests
{
    private sealed class RecordingMetrics : IWorkQueueMetrics
    {
        public int Adds;
        public int Retries;
        public List<TimeSpan> Latencies { get; } = [];
        public List<TimeSpan> Durations { get; } = [];
        public int LastDepth;

        public void Added(int depth)
        {
            Adds++;
            LastDepth = depth;
        }

        public void Taken(TimeSpan latency, int depth)
        {
            Latencies.Add(latency);
            LastDepth = depth;
        }

        public void Completed(TimeSpan duration) => Durations.Add(duration);

        public void Retried() => Retries++;
    }

    [Fact]
    public void AddRateLimited_RepeatedFailures_BackoffGrowsAndForgetResets()
    {
        var time = new FakeTimeProvider();
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        var q = new RateLimitingQueue<string>(limiter, new WorkQueueOptions { TimeProvider = time });

        q.AddRateLimited("a"); // 1 s
        Assert.Equal(1, q.GetRequeueCount("a"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.Count);

        q.AddRateLimited("a"); // 2 s; the item is already queued, so this adds nothing new
        q.AddRateLimited("b"); // 1 s
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, q.Count);
        Assert.Equal(2, q.GetRequeueCount("a"));

        q.Forget("a");
        Assert.Equal(0, q.GetRequeueCount("a"));
    }

    [Fact]
    public async Task AddRateLimited_DefaultController_FirstRetryAfterFiveMilliseconds()
    {
        var time = new FakeTimeProvider();
        var q = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(time), new WorkQueueOptions { TimeProvider = time });
        q.AddRateLimited("a");
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("a", await q.GetAsync());
    }

    [Fact]
    public void AddRateLimited_AfterShutDown_Ignored()
    {
        var time = new FakeTimeProvider();
        var q = new RateLimitingQueue<string>(options: new WorkQueueOptions { TimeProvider = time });
        q.ShutDown();
        q.AddRateLimited("a");
        Assert.Equal(0, q.GetRequeueCount("a"));
    }

    [Fact]
    public async Task Metrics_AddGetDoneRetry_RecordedWithInjectedClock()
    {
        var time = new FakeTimeProvider();
        var metrics = new RecordingMetrics();
        var q = new RateLimitingQueue<string>(
            new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            new WorkQueueOptions { TimeProvider = time, Metrics = metrics });

        q.Add("a");
        q.Add("a");
        q.Add("b");
        Assert.Equal(2, metrics.Adds);
        Assert.Equal(2, metrics.LastDepth);

        time.Advance(TimeSpan.FromSeconds(3));
        var a = await q.GetAsync();
        time.Advance(TimeSpan.FromSeconds(2));
        q.Done(a);
        Assert.Equal([TimeSpan.FromSeconds(3)], metrics.Latencies);
        Assert.Equal([TimeSpan.FromSeconds(2)], metrics.Durations);

        q.AddRateLimited("c");
        Assert.Equal(1, metrics.Retries);
    }
}
