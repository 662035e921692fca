using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Skiff.Bench.Startup;

/// <summary>
/// <c>startup [--runs 5] [--storage memory|sqlite] [--idle-seconds 5]</c>: starts the real binary as
/// <c>skiff up</c> (storage, API server, controller manager) and as <c>skiff apiserver</c> (storage and API server),
/// alternating, each on a fresh data directory, and reports per mode the median time from process start to "Local
/// Kubernetes cluster is running" (every component started; in <c>up</c> the controller manager holds its Lease) and the
/// median resident set size after <c>--idle-seconds</c> of idling.
/// </summary>
internal static class StartupBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var runs = BenchArgs.Int(args, "--runs", 5);
        var idle = BenchArgs.Int(args, "--idle-seconds", 5);
        var storageIndex = Array.IndexOf(args, "--storage");
        var storage = storageIndex >= 0 && storageIndex + 1 < args.Length ? args[storageIndex + 1] : "memory";
        var skiff = Path.Combine(AppContext.BaseDirectory, "skiff.dll");
        var results = new Dictionary<string, List<(double ReadyMs, double RssMb)>> { ["up"] = [], ["apiserver"] = [] };
        for (var i = 0; i < runs; i++)
        {
            foreach (var mode in new[] { "up", "apiserver" })
            {
                var r = await MeasureAsync(skiff, mode, storage, TimeSpan.FromSeconds(idle), ct);
                results[mode].Add(r);
                Console.WriteLine($"run {i + 1} {mode,-9}: ready {r.ReadyMs,7:F0} ms, idle RSS {r.RssMb,6:F1} MB");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| mode (storage {storage}, {runs} runs, medians) | ready ms | idle RSS MB |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (mode, list) in results)
        {
            Console.WriteLine($"| skiff {mode} | {Median(list.Select(r => r.ReadyMs)):F0} | {Median(list.Select(r => r.RssMb)):F1} |");
        }

        return 0;
    }

    internal static async Task<(double ReadyMs, double RssMb)> MeasureAsync(string skiff, string mode, string storage, TimeSpan idle, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-startup-" + Guid.NewGuid().ToString("N")[..8]);
        var (process, readyMs) = await StartSkiffAsync([skiff, mode, "--data-dir", dir, "--port", FreePort().ToString(CultureInfo.InvariantCulture), "--storage", storage],
            null, TimeSpan.FromSeconds(60), ct);
        try
        {
            await Task.Delay(idle, ct); // idling is what is measured here
            return (readyMs, ResidentMegabytes(process.Id));
        }
        finally
        {
            await StopAsync(process, ct);
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet ARGS</c> (the skiff binary and its arguments) with <paramref name="environment"/> added and waits
    /// for "Local Kubernetes cluster is running"; returns the process and the milliseconds from start to that line.
    /// </summary>
    internal static async Task<(Process Process, double ReadyMs)> StartSkiffAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Local Kubernetes cluster is running", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(timeout, ct);
            return (process, watch.Elapsed.TotalMilliseconds);
        }
        catch
        {
            await StopAsync(process, CancellationToken.None);
            throw;
        }
    }

    /// <summary>SIGTERM, then waits for the exit (30 s, then a kill) and disposes the process.</summary>
    internal static async Task StopAsync(Process process, CancellationToken ct)
    {
        using (process)
        {
            if (process.HasExited)
            {
                return;
            }

            _ = Kill(process.Id, 15);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>A process's <c>VmRSS</c> (or another <c>/proc/PID/status</c> field in kB, e.g. <c>VmHWM</c>, the peak) in MB.</summary>
    internal static double ResidentMegabytes(int pid, string field = "VmRSS")
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb / 1024;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static extern int Kill(int pid, int sig);
}
