using System.Globalization;

namespace Skiff.Bench.Kubelet;

/// <summary>
/// CPU time and memory of the container runtime's processes from <c>/proc</c>: containerd (with the children it waited
/// for — the CNI plugins and the iptables they run) and the runc v2 shims of its socket (with their runc children). The
/// pods' own processes (pause, sleep) are not counted. PSS splits pages the shims share, so the shims' PSS sum is their
/// real footprint where the RSS sum counts the shared binary once per shim.
/// </summary>
internal sealed record RuntimeUsage(TimeSpan ContainerdCpu, TimeSpan ShimsCpu, long ContainerdRss, long ShimsRss, long ShimsPss, int Shims)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux architecture .NET runs on

    /// <summary>A snapshot for the containerd process <paramref name="containerdPid"/> serving <paramref name="socket"/>.</summary>
    public static RuntimeUsage Read(int containerdPid, string socket)
    {
        var containerdCpu = Cpu(containerdPid, withChildren: true);
        var containerdRss = Rss(containerdPid);
        var shimCpu = TimeSpan.Zero;
        long shimRss = 0, shimPss = 0;
        var shims = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (!cmdline.Contains("containerd-shim", StringComparison.Ordinal) || !cmdline.Contains(socket, StringComparison.Ordinal))
            {
                continue;
            }

            shims++;
            shimCpu += Cpu(pid, withChildren: true);
            shimRss += Rss(pid);
            shimPss += Pss(pid);
        }

        return new RuntimeUsage(containerdCpu, shimCpu, containerdRss, shimRss, shimPss, shims);
    }

    /// <summary>The CPU used since <paramref name="before"/> (shims that exited meanwhile take theirs with them).</summary>
    public RuntimeUsage Minus(RuntimeUsage before) => this with { ContainerdCpu = ContainerdCpu - before.ContainerdCpu, ShimsCpu = ShimsCpu - before.ShimsCpu };

    /// <summary>utime + stime (+ cutime + cstime) of <paramref name="pid"/>; zero when it is gone.</summary>
    private static TimeSpan Cpu(int pid, bool withChildren)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
            long Field(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
            var ticks = Field(14) + Field(15) + (withChildren ? Field(16) + Field(17) : 0);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    private static long Rss(int pid) => StatusKiB($"/proc/{pid}/status", "VmRSS:") * 1024;

    private static long Pss(int pid) => StatusKiB($"/proc/{pid}/smaps_rollup", "Pss:") * 1024;

    private static long StatusKiB(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Gone.
        }

        return 0;
    }
}
