using System.Diagnostics;
using System.Text;

namespace Skiff.ApiServer.Store;

/// <summary>The phases of a create that <see cref="WriteProfile"/> times.</summary>
internal enum WritePhase
{
    ReadBody,
    Decode,
    FieldChecks,
    TypeMeta,
    AdmissionMutate,
    Defaults,
    Validate,
    ManagedFields,
    AdmissionValidate,
    EncodeForStorage,
    StorageWrite,
    DecodeStored,
    EncodeResponse,
    Total,
}

/// <summary>
/// Per-phase cost of creates, on only when the environment variable <c>SKIFF_PROFILE_WRITES=1</c> is set (otherwise
/// every call is one branch on a static readonly field, which the JIT folds away). Synchronous phases are timed in
/// CPU time of the calling thread (<c>CLOCK_THREAD_CPUTIME_ID</c>, so other processes on a loaded machine do not
/// inflate them), with the bytes the thread allocated in them (<see cref="GC.GetAllocatedBytesForCurrentThread"/>, which no
/// load inflates); phases that await (reading the body, admission, the storage write) in wall time. <see cref="Report"/> lists them.
/// </summary>
internal static partial class WriteProfile
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    private static readonly long[] Nanos = new long[(int)WritePhase.Total + 1];
    private static readonly long[] Counts = new long[(int)WritePhase.Total + 1];
    private static readonly long[] Bytes = new long[(int)WritePhase.Total + 1];

    [ThreadStatic]
    private static long t_allocated;

    /// <summary>True when profiling is on (read once at start-up).</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("SKIFF_PROFILE_WRITES") == "1" && OperatingSystem.IsLinux();

    /// <summary>A CPU-time start mark of the current thread (0 when off); also marks the thread's allocated bytes.</summary>
    public static long Cpu()
    {
        if (!Enabled)
        {
            return 0;
        }

        t_allocated = GC.GetAllocatedBytesForCurrentThread();
        return ThreadCpuNanos();
    }

    /// <summary>The current thread's CPU time in nanoseconds (0 when off), without marking its allocations.</summary>
    public static long ThreadCpu() => Enabled ? ThreadCpuNanos() : 0;

    /// <summary>A wall-clock start mark (0 when off).</summary>
    public static long Wall() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the thread CPU time since <paramref name="start"/> to <paramref name="phase"/>.</summary>
    public static void EndCpu(WritePhase phase, long start)
    {
        if (Enabled)
        {
            Interlocked.Add(ref Bytes[(int)phase], GC.GetAllocatedBytesForCurrentThread() - t_allocated);
            Add(phase, ThreadCpuNanos() - start);
        }
    }

    /// <summary>Adds the wall time since <paramref name="start"/> to <paramref name="phase"/>.</summary>
    public static void EndWall(WritePhase phase, long start)
    {
        if (Enabled)
        {
            Add(phase, (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }
    }

    /// <summary>Forgets everything measured so far.</summary>
    public static void Reset()
    {
        Array.Clear(Nanos);
        Array.Clear(Counts);
        Array.Clear(Bytes);
    }

    /// <summary>A table of the phases: calls, mean µs per call, share of the summed CPU phases.</summary>
    public static string Report()
    {
        var sb = new StringBuilder();
        double cpuSum = 0;
        for (var p = 0; p < (int)WritePhase.Total; p++)
        {
            if (!IsWall((WritePhase)p))
            {
                cpuSum += Volatile.Read(ref Nanos[p]);
            }
        }

        sb.AppendLine("phase                 calls     µs/call  share of CPU phases  KB allocated/call");
        for (var p = 0; p <= (int)WritePhase.Total; p++)
        {
            var n = Volatile.Read(ref Counts[p]);
            if (n == 0)
            {
                continue;
            }

            var ns = Volatile.Read(ref Nanos[p]);
            var wall = IsWall((WritePhase)p);
            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"{(WritePhase)p + (wall ? " (wall)" : ""),-21}{n,6}{ns / 1000.0 / n,12:F1}  {(wall ? "      " : $"{ns / cpuSum,6:P1}")}{(wall ? "" : $"{Volatile.Read(ref Bytes[p]) / 1024.0 / n,21:F1}")}");
        }

        return sb.ToString();
    }

    private static bool IsWall(WritePhase p) =>
        p is WritePhase.ReadBody or WritePhase.StorageWrite or WritePhase.AdmissionMutate or WritePhase.AdmissionValidate or WritePhase.Total;

    private static void Add(WritePhase phase, long nanos)
    {
        Interlocked.Add(ref Nanos[(int)phase], nanos);
        Interlocked.Increment(ref Counts[(int)phase]);
    }

    private static long ThreadCpuNanos() => ClockGetTime(ThreadCpuClock, out var ts) == 0 ? (ts.Seconds * 1_000_000_000) + ts.Nanoseconds : 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
