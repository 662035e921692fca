using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Runtime;
using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

public sealed class ControllerTests
{
    private static readonly ReconcileRequest Key = new("ns", "a");
    private readonly FakeTimeProvider _time = new();

    private sealed class ScriptedReconciler(params Func<ReconcileResult>[] steps) : IReconciler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            var i = Interlocked.Increment(ref _calls) - 1;
            return Task.FromResult(steps[Math.Min(i, steps.Length - 1)]());
        }
    }

    private (Controller Controller, RateLimitingQueue<ReconcileRequest> Queue) Create(IReconciler reconciler)
    {
        var queue = new RateLimitingQueue<ReconcileRequest>(
            new ItemExponentialFailureRateLimiter<ReconcileRequest>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10)),
            new WorkQueueOptions { TimeProvider = _time });
        return (new Controller("test", reconciler, queue), queue);
    }

    [Fact]
    public async Task ProcessNext_Success_ForgetsAndDoesNotRequeue()
    {
        var (c, q) = Create(new ScriptedReconciler(() => ReconcileResult.Done));
        q.AddRateLimited(Key);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, q.GetRequeueCount(Key));
        Assert.True(await c.ProcessNextAsync(CancellationToken.None));
        Assert.Equal(0, q.GetRequeueCount(Key));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, q.Count);
        Assert.Equal(1, c.Reconciles);
    }

    [Fact]
    public async Task ProcessNext_Exception_RequeuesWithGrowingBackoff()
    {
        var (c, q) = Create(new ScriptedReconciler(() => throw new InvalidOperationException("boom")));
        q.Add(Key);
        Assert.True(await c.ProcessNextAsync(CancellationToken.None));
        Assert.Equal(1, q.GetRequeueCount(Key));
        Assert.Equal(0, q.Count);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, q.Count);

        Assert.True(await c.ProcessNextAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(0, q.Count); // second failure waits 10 ms
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, q.Count);
        Assert.Equal(2, c.Errors);
    }

    [Fact]
    public async Task ProcessNext_TerminalException_DropsTheRequest()
    {
        var (c, q) = Create(new ScriptedReconciler(() => throw new TerminalReconcileException("never")));
        q.Add(Key);
        Assert.True(await c.ProcessNextAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, q.Count);
        Assert.Equal(0, q.GetRequeueCount(Key));
        Assert.Equal(1, c.Errors);
    }

    [Fact]
    public async Task ProcessNext_RequeueAfter_AddsAfterTheDelayWithBackoffReset()
    {
        var (c, q) = Create(new ScriptedReconciler(() => ReconcileResult.After(TimeSpan.FromSeconds(30))));
        q.Add(Key);
        Assert.True(await c.ProcessNextAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, q.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.GetRequeueCount(Key));
    }

    [Fact]
    public async Task Run_ReconcilerThrowsThenSucceeds_WorkerSurvivesAndStopsOnCancel()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var r = new ScriptedReconciler(() => throw new InvalidOperationException("once"), () =>
        {
            done.TrySetResult();
            return ReconcileResult.Done;
        });
        var c = new Controller("run", r, workers: 2);
        using var cts = new CancellationTokenSource();
        var run = c.RunAsync(cts.Token);
        c.Queue.Add(Key);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, r.Calls);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(c.Queue.IsShuttingDown);
    }
}
