using System.Diagnostics;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// Measures how much the (in-process) server's memory grows over a run: the managed heap (<see cref="GC.GetTotalMemory"/>)
/// and the process working set, sampled after each request against a baseline taken after a full collection. The
/// collector is lazy (garbage of a 3 MiB body may wait for the next gen-2 collection), so a sample over
/// <see cref="Bound"/> forces an aggressive collection (which also returns free memory to the OS) and is taken again:
/// the peaks are of memory the process could not give back. The lazy peaks are kept for the report.
/// </summary>
public sealed class MemoryMeter
{
    private readonly long _heapBaseline;
    private readonly long _workingSetBaseline;
    private long _peakHeap;
    private long _peakWorkingSet;

    private MemoryMeter(long bound)
    {
        // Samples over the bound force a collection; the peaks are then compared with a larger bound by the caller.
        Bound = bound;
        Collect();
        _heapBaseline = GC.GetTotalMemory(forceFullCollection: false);
        _workingSetBaseline = WorkingSet();
        _peakHeap = _heapBaseline;
        _peakWorkingSet = _workingSetBaseline;
    }

    /// <summary>The growth over which a sample forces a collection before it counts.</summary>
    public long Bound { get; }

    /// <summary>How many samples forced a collection.</summary>
    public int Collections { get; private set; }

    /// <summary>The highest growth of the working set seen before any forced collection (the lazy collector's peak).</summary>
    public long LazyPeakWorkingSetGrowth { get; private set; }

    /// <summary>Growth of the managed heap at its highest sample, in bytes.</summary>
    public long PeakHeapGrowth => _peakHeap - _heapBaseline;

    /// <summary>Growth of the working set at its highest sample, in bytes.</summary>
    public long PeakWorkingSetGrowth => _peakWorkingSet - _workingSetBaseline;

    /// <summary>Starts measuring from now (after a full collection).</summary>
    public static MemoryMeter Start(long bound) => new(bound);

    /// <summary>Takes one sample of both measures (collecting first when either is over the bound); true when it is a new peak.</summary>
    public bool Sample()
    {
        var (oldHeap, oldWorkingSet) = (_peakHeap, _peakWorkingSet);
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        var workingSet = WorkingSet();
        LazyPeakWorkingSetGrowth = Math.Max(LazyPeakWorkingSetGrowth, workingSet - _workingSetBaseline);
        if (heap - _heapBaseline > Bound || workingSet - _workingSetBaseline > Bound)
        {
            Collect();
            Collections++;
            heap = GC.GetTotalMemory(forceFullCollection: false);
            workingSet = WorkingSet();
        }

        _peakHeap = Math.Max(_peakHeap, heap);
        _peakWorkingSet = Math.Max(_peakWorkingSet, workingSet);
        return _peakHeap > oldHeap || _peakWorkingSet > oldWorkingSet;
    }

    /// <summary>The managed heap still held after a full collection, over the baseline, in bytes.</summary>
    public long RetainedHeapGrowth()
    {
        Collect();
        return GC.GetTotalMemory(forceFullCollection: false) - _heapBaseline;
    }

    /// <summary>Mebibytes, for messages.</summary>
    public static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MB";

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}
