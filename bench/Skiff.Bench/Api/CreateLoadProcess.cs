using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.Bench.Api;

/// <summary>
/// The create load generator in a child process (<c>creates-load</c>), so that the bench process's CPU during a measure
/// is the API server's alone: the clients' TLS, HTTP framing and body building would otherwise be counted with it (the
/// same split as <c>list-watch-readers</c>). The child warms up for one second, prints <c>START</c>, runs the measure
/// and prints <c>RESULT creates/s p50 p99 errors client-cpu-ms-per-create</c>.
/// </summary>
internal sealed class CreateLoadProcess : IDisposable
{
    private readonly Process _process;

    private CreateLoadProcess(Process process) => _process = process;

    /// <summary>The child's entry point: <c>creates-load --url U --cert F --key F --ca F --path P --kind pods|configmaps|stamped-configmaps --prefix S --http 2|1.1 --clients N --seconds S</c>.</summary>
    public static async Task<int> RunChildAsync(string[] args, CancellationToken ct)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        using var cert = X509Certificate2.CreateFromPemFile(Arg("--cert"), Arg("--key"));
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Arg("--ca")));
        var clients = BenchArgs.Int(args, "--clients", 1);
        var prefix = Arg("--prefix");
        var path = Arg("--path");
        Func<long, byte[]> body = Arg("--kind") switch
        {
            "pods" => i => CreateLoad.Pod(prefix, i),
            "stamped-configmaps" => i => CreateLoad.StampedConfigMap(prefix, i),
            _ => i => CreateLoad.ConfigMap(prefix, i),
        };
        using var load = new CreateLoad(Arg("--url"), cert, ca, Arg("--http") == "2", clients);
        await load.RunAsync(path, i => body(-i), clients, TimeSpan.FromSeconds(1), ct).ConfigureAwait(false); // warm-up (JIT, connections)
        Console.WriteLine("START");
        var r = await load.RunAsync(path, body, clients, TimeSpan.FromSeconds(BenchArgs.Int(args, "--seconds", 10)), ct).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {r.PerSecond:0.0} {r.P50Ms:0.000} {r.P99Ms:0.000} {r.Errors} {r.CpuMsPerCreate:0.0000}"));
        return 0;
    }

    /// <summary>Starts a child with <paramref name="args"/> (after <c>creates-load</c>) and waits for its <c>START</c>.</summary>
    public static async Task<CreateLoadProcess> StartAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(CreateLoadProcess).Assembly.Location);
        }

        info.ArgumentList.Add("creates-load");
        // The clients run with the bench's runtimeconfig (the settings skiff ships) whatever GC variables the bench was
        // started with: those are for the server in this process, and the load must stay the same across them.
        foreach (var name in info.Environment.Keys.Where(IsGcVariable).ToArray())
        {
            info.Environment.Remove(name);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var child = new CreateLoadProcess(Process.Start(info) ?? throw new InvalidOperationException("cannot start the load process"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        var line = await child._process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        if (line != "START")
        {
            child.Dispose();
            throw new InvalidOperationException($"load process: {line ?? "exited"} before START");
        }

        return child;
    }

    /// <summary><c>DOTNET_gc…</c>, <c>DOTNET_GC…</c> (and their <c>COMPlus_</c> forms): the runtime's GC knobs.</summary>
    internal static bool IsGcVariable(string name) =>
        (name.StartsWith("DOTNET_", StringComparison.Ordinal) ? name[7..] : name.StartsWith("COMPlus_", StringComparison.Ordinal) ? name[8..] : null)
            is { } knob && knob.StartsWith("gc", StringComparison.OrdinalIgnoreCase);

    /// <summary>Waits for the child's RESULT line.</summary>
    public async Task<CreateLoadResult> ResultAsync(CancellationToken ct)
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false)) is not null && !line.StartsWith("RESULT ", StringComparison.Ordinal))
        {
        }

        if (line is null)
        {
            throw new InvalidOperationException("load process exited without a result");
        }

        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        var f = line.Split(' ');
        var inv = CultureInfo.InvariantCulture;
        return new CreateLoadResult(double.Parse(f[1], inv), double.Parse(f[2], inv), double.Parse(f[3], inv), long.Parse(f[4], inv), double.Parse(f[5], inv));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
