using System.Collections.Concurrent;
using System.Text;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// The CPU each admission plugin and the authorizer cost per request, on only with <see cref="WriteProfile"/>
/// (<c>SKIFF_PROFILE_WRITES=1</c>; otherwise every call is one branch on a static readonly field). A step is timed in
/// CPU time of the calling thread (and the bytes it allocated) when it completes without yielding; a step that awaits is counted apart (its CPU
/// ran on other threads and is not attributed). <see cref="Report"/> lists them by cost.
/// </summary>
internal static class AdmissionProfile
{
    private static readonly ConcurrentDictionary<string, Step> Steps = new(StringComparer.Ordinal);

    /// <summary>True when profiling is on.</summary>
    public static bool Enabled => WriteProfile.Enabled;

    [ThreadStatic]
    private static long t_allocated;

    /// <summary>A CPU start mark of the current thread (0 when off); also marks the thread's allocated bytes.</summary>
    public static long Start()
    {
        if (!Enabled)
        {
            return 0;
        }

        t_allocated = GC.GetAllocatedBytesForCurrentThread();
        return WriteProfile.ThreadCpu();
    }

    /// <summary>Adds the thread CPU since <paramref name="start"/> to <paramref name="step"/>, or counts it as yielded.</summary>
    public static void End(string step, long start, bool completedSynchronously)
    {
        if (!Enabled)
        {
            return;
        }

        var s = Steps.GetOrAdd(step, _ => new Step());
        if (completedSynchronously)
        {
            Interlocked.Add(ref s.Nanos, WriteProfile.ThreadCpu() - start);
            Interlocked.Add(ref s.Bytes, GC.GetAllocatedBytesForCurrentThread() - t_allocated);
            Interlocked.Increment(ref s.Calls);
        }
        else
        {
            Interlocked.Increment(ref s.Yielded);
        }
    }

    /// <summary>Counts one occurrence of <paramref name="step"/> weighing <paramref name="items"/> (reported as calls and mean items).</summary>
    public static void Count(string step, int items)
    {
        if (!Enabled)
        {
            return;
        }

        var s = Steps.GetOrAdd(step, _ => new Step());
        Interlocked.Add(ref s.Items, items);
        Interlocked.Increment(ref s.Calls);
    }

    /// <summary>Forgets everything measured so far.</summary>
    public static void Reset() => Steps.Clear();

    /// <summary>A table of the steps: calls, mean CPU µs per synchronous call, calls that yielded.</summary>
    public static string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine("step                              calls   cpu µs/call  yielded  KB allocated/call");
        foreach (var (name, s) in Steps.OrderByDescending(p => p.Value.Nanos))
        {
            var calls = Volatile.Read(ref s.Calls);
            if (Volatile.Read(ref s.Items) is var items and > 0)
            {
                sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{name,-32}{calls,7}  {(double)items / calls,8:F1} items/call");
                continue;
            }

            sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"{name,-32}{calls,7}{(calls == 0 ? 0 : Volatile.Read(ref s.Nanos) / 1000.0 / calls),14:F1}{Volatile.Read(ref s.Yielded),9}{(calls == 0 ? 0 : Volatile.Read(ref s.Bytes) / 1024.0 / calls),19:F1}");
        }

        return sb.ToString();
    }

    private sealed class Step
    {
        public long Nanos;
        public long Calls;
        public long Yielded;
        public long Items;
        public long Bytes;
    }
}
