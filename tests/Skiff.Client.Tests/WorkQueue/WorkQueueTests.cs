using Skiff.Client.WorkQueue;
using Xunit;

namespace Skiff.Client.Tests.WorkQueue;

public class WorkQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GetAsync_ItemsAdded_HandedOutInAddOrder()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        q.Add("b");
        q.Add("c");
        Assert.Equal("a", await q.GetAsync());
        Assert.Equal("b", await q.GetAsync());
        Assert.Equal("c", await q.GetAsync());
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task Add_SameItemTwiceBeforeGet_HandedOutOnce()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        q.Add("b");
        q.Add("a");
        Assert.Equal(2, q.Count);
        Assert.Equal("a", await q.GetAsync());
        Assert.Equal("b", await q.GetAsync());
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task Add_WhileProcessing_NotHandedOutUntilDone()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        var first = await q.GetAsync();
        q.Add("a");
        Assert.Equal(0, q.Count);

        using var cts = new CancellationTokenSource();
        var second = q.GetAsync(cts.Token).AsTask();
        Assert.False(second.IsCompleted);

        q.Done(first);
        Assert.Equal("a", await second.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Add_WhileProcessingTwice_ProcessedOnceMoreAfterDone()
    {
        var q = new WorkQueue<string>();
        q.Add("a");
        var item = await q.GetAsync();
        q.Add("a");
        q.Add("a");
        q.Done(item);
        Assert.Equal(1, q.Count);
        Assert.Equal("a", await q.GetAsync());
        q.Done("a");
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task GetAsync_QueueEmpty_WaitsForAdd()
    {
        var q = new WorkQueue<int>();
        var get = q.GetAsync().AsTask();
        Assert.False(get.IsCompleted);
        q.Add(7);
        Assert.Equal(7, await get.WaitAsync(Deadline));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task GetAsync_Cancelled_ThrowsAndLosesNoItem()
    {
        var q = new WorkQueue<int>();
        using var cts = new CancellationTokenSource();
        var get = q.GetAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.WaitAsync(Deadline));
        q.Add(1);
        Assert.Equal(1, q.Count);
        Assert.Equal(1, await q.GetAsync());
    }

    [Fact]
    public async Task ShutDown_ItemsQueued_StillHandedOutThenThrows()
    {
        var q = new WorkQueue<int>();
        q.Add(1);
        q.ShutDown();
        q.Add(2);
        Assert.True(q.IsShuttingDown);
        Assert.Equal(1, await q.GetAsync());
        await Assert.ThrowsAsync<WorkQueueShutDownException>(async () => await q.GetAsync());
    }

    [Fact]
    public async Task ShutDown_WaitingGetters_EndWithShutDown()
    {
        var q = new WorkQueue<int>();
        var a = q.GetAsync().AsTask();
        var b = q.GetAsync().AsTask();
        q.ShutDown();
        await Assert.ThrowsAsync<WorkQueueShutDownException>(() => a.WaitAsync(Deadline));
        await Assert.ThrowsAsync<WorkQueueShutDownException>(() => b.WaitAsync(Deadline));
    }

    [Fact]
    public async Task ReadAllAsync_ShutDown_Completes()
    {
        var q = new WorkQueue<int>();
        q.Add(1);
        q.Add(2);
        var seen = new List<int>();
        var reader = Task.Run(async () =>
        {
            await foreach (var i in q.ReadAllAsync())
            {
                seen.Add(i);
                q.Done(i);
                if (i == 2)
                {
                    q.ShutDown();
                }
            }
        });
        await reader.WaitAsync(Deadline);
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public async Task ShutDownWithDrainAsync_ItemInProcessing_WaitsForDone()
    {
        var q = new WorkQueue<int>();
        q.Add(1);
        var item = await q.GetAsync();
        var drain = q.ShutDownWithDrainAsync();
        Assert.False(drain.IsCompleted);
        Assert.True(q.IsShuttingDown);
        q.Done(item);
        await drain.WaitAsync(Deadline);
        Assert.True(drain.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ShutDownWithDrainAsync_NothingInProcessing_CompletesAtOnce()
    {
        var q = new WorkQueue<int>();
        await q.ShutDownWithDrainAsync().WaitAsync(Deadline);
        Assert.True(q.IsShuttingDown);
    }

    [Fact]
    public async Task ConcurrentWorkers_ItemNeverProcessedByTwoAtOnce_EveryAddAfterStartIsProcessed()
    {
        var q = new WorkQueue<int>();
        var inFlight = new int[10];
        var violations = 0;
        var lastAddVersion = new int[10];
        var seenVersion = new int[10];

        async Task WorkerAsync()
        {
            await foreach (var i in q.ReadAllAsync())
            {
                if (Interlocked.Increment(ref inFlight[i]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                Volatile.Write(ref seenVersion[i], Volatile.Read(ref lastAddVersion[i]));
                await Task.Yield();
                Interlocked.Decrement(ref inFlight[i]);
                q.Done(i);
            }
        }

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(WorkerAsync)).ToArray();
        for (var round = 1; round <= 2000; round++)
        {
            var i = round % 10;
            Volatile.Write(ref lastAddVersion[i], round);
            q.Add(i);
        }

        await q.ShutDownWithDrainAsync().WaitAsync(Deadline);
        await Task.WhenAll(workers).WaitAsync(Deadline);
        Assert.Equal(0, violations);
        for (var i = 0; i < 10; i++)
        {
            // The last add of each item was observed by a processing that started after it.
            Assert.Equal(lastAddVersion[i], seenVersion[i]);
        }

    }
}
