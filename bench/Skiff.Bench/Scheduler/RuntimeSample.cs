using System.Runtime;

namespace Skiff.Bench.Scheduler;

/// <summary>
/// The process's runtime counters at one instant (GCs per generation, GC pause, bytes allocated, methods JIT-compiled
/// and JIT time, thread-pool threads and completed work items), so that a run can print what changed during it: the
/// question "why is a later run faster" is answered by which of these differ between runs.
/// </summary>
internal readonly record struct RuntimeSample(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated, long JitMethods, TimeSpan JitTime, int Threads, long WorkItems)
{
    public static RuntimeSample Take() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(),
        JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime(), ThreadPool.ThreadCount, ThreadPool.CompletedWorkItemCount);

    /// <summary>What changed from <paramref name="start"/> to this sample, per <paramref name="units"/> items where it is a rate.</summary>
    public string Since(RuntimeSample start, int units) =>
        $"GCs gen0/1/2 {Gen0 - start.Gen0}/{Gen1 - start.Gen1}/{Gen2 - start.Gen2}, pause {(Pause - start.Pause).TotalMilliseconds:0} ms, "
        + $"allocated {(Allocated - start.Allocated) / 1024.0 / units:0.0} KB/pod, JIT {JitMethods - start.JitMethods} methods in {(JitTime - start.JitTime).TotalMilliseconds:0} ms, "
        + $"thread pool {start.Threads} → {Threads} threads, {(WorkItems - start.WorkItems) / (double)units:0.0} work items/pod";
}
