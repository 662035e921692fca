using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Pods;

namespace Skiff.Bench.Kubelet;

/// <summary>The pod start-up benchmark's knobs.</summary>
internal sealed record PodStartSettings(int Pods, int Rate, TimeSpan Window);

/// <summary>One run's numbers.</summary>
internal sealed record PodStartResult(TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan AllRunning, string Breakdown, string Cost)
{
    public string Describe() => $"p50 {P50.TotalMilliseconds:0} ms, p99 {P99.TotalMilliseconds:0} ms, max {Max.TotalMilliseconds:0} ms; all running after {AllRunning.TotalSeconds:0.0} s; {Cost}; load {PodStartRun.LoadAverage()}\n{Breakdown}";
}

/// <summary>
/// Creates a run's pods (burst or paced), waits on a watch until each is Running, and reads the kubelet's
/// <see cref="PodStartTrace"/>s and the runtime's CPU; deletes them afterwards. The latency clock is the bench's own
/// (<see cref="Stopwatch"/>), which is also the kubelet's <see cref="TimeProvider.System"/> timestamp: the traces line up.
/// </summary>
internal sealed class PodStartRun(Clientset cs, ContainerdSupervisor containerd, ConcurrentQueue<PodStartTrace> traces, PodStartSettings settings)
{
    private const string Namespace = "default";
    private readonly List<string> _names = [];

    /// <summary>The first three fields of <c>/proc/loadavg</c>.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public async Task<PodStartResult> StartPodsAsync(string mode, int run, CancellationToken ct)
    {
        traces.Clear();
        _names.Clear();
        var created = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var running = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopWatch = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in cs.CoreV1().Pods(Namespace).WatchAsync(new ListOptions(), stopWatch.Token).ConfigureAwait(false))
                {
                    if (e.Object.Status?.Phase == "Running" && created.ContainsKey(e.Object.Metadata.Name) &&
                        running.TryAdd(e.Object.Metadata.Name, Stopwatch.GetTimestamp()) && running.Count == settings.Pods)
                    {
                        allRunning.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Done.
            }
        }, CancellationToken.None);

        var before = Snapshot();
        var started = Stopwatch.GetTimestamp();
        var prefix = $"{mode[0]}{run}-";
        _names.AddRange(Enumerable.Range(0, settings.Pods).Select(i => $"{prefix}p{i}"));
        if (mode == "paced")
        {
            var creates = new List<Task>();
            for (var i = 0; i < settings.Pods; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / settings.Rate) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, ct).ConfigureAwait(false); // pacing the creates is the measurement's input
                }

                creates.Add(CreateAsync(_names[i], created, ct));
            }

            await Task.WhenAll(creates).ConfigureAwait(false);
        }
        else
        {
            await Parallel.ForEachAsync(_names, new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = ct }, (name, c) => new ValueTask(CreateAsync(name, created, c))).ConfigureAwait(false);
        }

        await allRunning.Task.WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        var total = Stopwatch.GetElapsedTime(started);
        var cost = Snapshot().Minus(before);
        await stopWatch.CancelAsync().ConfigureAwait(false);
        await watch.ConfigureAwait(false);

        var latencies = _names.Select(n => Stopwatch.GetElapsedTime(created[n], running[n])).Order().ToList();
        var breakdown = Breakdown([.. traces], created, running);
        return new PodStartResult(Pct(latencies, 0.50), Pct(latencies, 0.99), latencies[^1], total, breakdown,
            $"start cost: bench process {cost.Process.TotalSeconds:0.0} s CPU, containerd+CNI {cost.Runtime.ContainerdCpu.TotalSeconds:0.0} s, shims+runc {cost.Runtime.ShimsCpu.TotalSeconds:0.0} s " +
            $"({(cost.Process + cost.Runtime.ContainerdCpu + cost.Runtime.ShimsCpu).TotalMilliseconds / settings.Pods:0} ms CPU per pod)");
    }

    /// <summary>CPU and memory over the window with the run's pods running.</summary>
    public async Task<string> SteadyStateAsync(CancellationToken ct)
    {
        var before = Snapshot();
        var sw = Stopwatch.StartNew();
        await Task.Delay(settings.Window, ct).ConfigureAwait(false); // the measurement window, not synchronisation
        var after = Snapshot();
        var d = after.Minus(before);
        double Pct(TimeSpan cpu) => cpu.TotalMilliseconds / sw.Elapsed.TotalMilliseconds * 100;
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return $"steady state, {settings.Pods} pods running, {sw.Elapsed.TotalSeconds:0} s: CPU bench process (kubelet + in-process API server) {Pct(d.Process):0.0}% of a core, " +
            $"containerd {Pct(d.Runtime.ContainerdCpu):0.0}%, {after.Runtime.Shims} shims {Pct(d.Runtime.ShimsCpu):0.0}%; memory: bench process RSS {self.WorkingSet64 >> 20} MiB " +
            $"(GC heap {GC.GetTotalMemory(false) >> 20} MiB), containerd RSS {after.Runtime.ContainerdRss >> 20} MiB, shims RSS {after.Runtime.ShimsRss >> 20} MiB / PSS {after.Runtime.ShimsPss >> 20} MiB; load {LoadAverage()}";
    }

    /// <summary>Deletes the run's pods and waits until the kubelet has removed them (their sandboxes are gone then).</summary>
    public async Task DeletePodsAsync(CancellationToken ct)
    {
        await Parallel.ForEachAsync(_names, new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = ct }, async (name, c) =>
            await cs.CoreV1().Pods(Namespace).DeleteAsync(name, ct: c).ConfigureAwait(false)).ConfigureAwait(false);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        var until = Stopwatch.StartNew();
        var names = _names.ToHashSet(StringComparer.Ordinal);
        while ((await cs.CoreV1().Pods(Namespace).ListAsync(new ListOptions(), ct).ConfigureAwait(false)).Items.Any(p => names.Contains(p.Metadata.Name)))
        {
            if (until.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException("the run's pods were not deleted within 3 minutes");
            }

            await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
        }
    }

    private Task CreateAsync(string name, ConcurrentDictionary<string, long> created, CancellationToken ct)
    {
        created[name] = Stopwatch.GetTimestamp();
        return cs.CoreV1().Pods(Namespace).CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec
            {
                NodeName = "bench-node",
                TerminationGracePeriodSeconds = 1,
                Containers = [new V1Container { Name = "c", Image = SkiffImages.BusyboxImage, ImagePullPolicy = "IfNotPresent", Command = ["sleep", "3600"] }],
            },
        }, ct: ct);
    }

    /// <summary>Per step, the median and mean over the run's pods: create → seen, the kubelet's steps, written → watch.</summary>
    private static string Breakdown(List<PodStartTrace> list, ConcurrentDictionary<string, long> created, ConcurrentDictionary<string, long> running)
    {
        var rows = new List<(string Step, List<TimeSpan> Values)>();
        void Add(string step, TimeSpan value)
        {
            var i = rows.FindIndex(r => r.Step == step);
            (i >= 0 ? rows[i].Values : AddRow(step)).Add(value);
        }

        List<TimeSpan> AddRow(string step)
        {
            rows.Add((step, []));
            return rows[^1].Values;
        }

        foreach (var t in list)
        {
            var name = t.Pod[(t.Pod.IndexOf('/', StringComparison.Ordinal) + 1)..];
            if (!created.TryGetValue(name, out var c) || !running.TryGetValue(name, out var r))
            {
                continue;
            }

            Add("create→seen", Stopwatch.GetElapsedTime(c, t.SeenAt));
            foreach (var (step, took) in t.Steps)
            {
                Add(step, took);
            }

            Add("written→watch", Stopwatch.GetElapsedTime(t.PublishedAt, r));
        }

        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"  where the time went ({list.Count} traced pods; median / mean ms):");
        foreach (var (step, values) in rows)
        {
            values.Sort();
            sb.Append(CultureInfo.InvariantCulture, $" {step} {values[(values.Count - 1) / 2].TotalMilliseconds:0}/{values.Average(v => v.TotalMilliseconds):0}");
        }

        return sb.ToString();
    }

    private static TimeSpan Pct(List<TimeSpan> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private Usage Snapshot()
    {
        using var self = Process.GetCurrentProcess();
        return new Usage(self.TotalProcessorTime, RuntimeUsage.Read(containerd.ProcessId ?? 0, containerd.Config.Socket));
    }

    /// <summary>The bench process's CPU time and the runtime's usage at one moment.</summary>
    private sealed record Usage(TimeSpan Process, RuntimeUsage Runtime)
    {
        public Usage Minus(Usage before) => new(Process - before.Process, Runtime.Minus(before.Runtime));
    }
}
