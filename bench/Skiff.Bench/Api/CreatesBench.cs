using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Skiff.ApiServer.Hosting;
using Skiff.Bench.Storage;
using Skiff.Storage;
using Skiff.Storage.Etcd;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.Api;

/// <summary>
/// API creates per second through the whole server (<c>skiff up</c>'s wiring: authentication, authorization, the
/// default admission chain, the watch cache, managedFields) over HTTPS, at several client counts, on HTTP/2 and
/// HTTP/1.1, for configmaps and pods, against the raw engine measured in the same run: SQLite one-row transactions and
/// SQLite with 256 rows per transaction (group commit), or raw etcd puts, guarded create transactions and guarded creates
/// read back by a watch at the same concurrency (<see cref="EtcdCreateBaseline"/>); on etcd each row also prints etcd's
/// calls, watch messages and CPU per create.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Skiff.Bench -- creates [--store sqlite|etcd|all] [--clients 1,8,64]
/// [--seconds 10] [--warmup 5] [--kinds configmaps,pods] [--http 2,1.1] [--dir PATH]</c>.
/// Before the rows of each kind and HTTP version, <c>--warmup</c> seconds of unmeasured creates at the largest client
/// count let the server's code tier up (the raw baselines' few call paths are warm after their first second). The load generator runs in a
/// child process (<c>creates-load</c>, <see cref="CreateLoadProcess"/>), so "srv cpu" (ms per create) is the server's alone and
/// "load cpu" the clients'. With <c>SKIFF_PROFILE_WRITES=1</c> it prints the server's cost per
/// create phase after each measure (<c>WriteProfile</c>).
/// </remarks>
internal static class CreatesBench
{
    private static TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var clients = List(args, "--clients", "1,8,64").Select(Parse).ToArray();
        var seconds = BenchArgs.Int(args, "--seconds", 10);
        var stores = List(args, "--store", "sqlite");
        var kinds = List(args, "--kinds", "configmaps,pods");
        var versions = List(args, "--http", "2,1.1");
        var dir = Arg(args, "--dir") ?? Path.GetTempPath();
        var duration = TimeSpan.FromSeconds(seconds);
        Warmup = TimeSpan.FromSeconds(BenchArgs.Int(args, "--warmup", 5));
        foreach (var store in stores.SelectMany(s => s == "all" ? ["sqlite", "etcd"] : new[] { s }))
        {
            await RunStoreAsync(store, dir, clients, kinds, versions, duration, ct);
        }

        return 0;
    }

    private static async Task RunStoreAsync(
        string store, string dir, int[] clients, string[] kinds, string[] versions, TimeSpan duration, CancellationToken ct)
    {
        var work = Path.Combine(dir, $"skiff-creates-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(work);
        Process? etcd = null;
        string? etcdDir = null;
        IStorage storage;
        EtcdConnection? raw = null;
        string? servers = null;
        if (store == "etcd")
        {
            (etcd, etcdDir, servers) = await EtcdBench.StartEtcdAsync();
            var options = EtcdOptions.Parse(servers);
            storage = await EtcdStorage.ConnectAsync(options, ct);
            raw = new EtcdConnection(options);
        }
        else
        {
            storage = await SqliteStorage.OpenAsync(Path.Combine(work, "skiff.db"), null, ct);
        }

        try
        {
            var host = new ApiServerHost(DefaultApiServer.CreateOptions(work, storage) with { Port = 0 });
            await host.StartAsync(ct);
            try
            {
                await RunAgainstAsync(store, host, raw, servers, work, clients, kinds, versions, duration, ct);
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        finally
        {
            raw?.Dispose();
            await storage.DisposeAsync();
            if (etcd is not null)
            {
                etcd.Kill();
                await etcd.WaitForExitAsync(ct);
                Directory.Delete(etcdDir!, recursive: true);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAgainstAsync(
        string store, ApiServerHost host, EtcdConnection? raw, string? etcdUrl, string work, int[] clients, string[] kinds, string[] versions, TimeSpan duration, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        using (var setup = new CreateLoad(host.Url, host.Certificates.Admin, host.Certificates.Ca, http2: true, 1))
        {
            await setup.PostAsync("/api/v1/namespaces", Encoding.UTF8.GetBytes("""{"metadata":{"name":"bench"}}"""), ct);
            await setup.PostAsync("/api/v1/namespaces/bench/serviceaccounts", Encoding.UTF8.GetBytes("""{"metadata":{"name":"default"}}"""), ct);
        }

        Console.WriteLine($"creates bench: store {store}, {duration.TotalSeconds:F0} s per measure, {Environment.ProcessorCount} cores");
        Console.WriteLine($"server (this process): {Skiff.Cli.RuntimeSettings.Summary()}");
        var sqliteRaw = store == "sqlite" ? new SqliteRawBaseline(work) : null;
        var rawBefore = await RawAsync(sqliteRaw, raw, etcdUrl, clients, duration, ct);
        var pki = Path.Combine(work, "load-pki");
        Directory.CreateDirectory(pki);
        await File.WriteAllTextAsync(Path.Combine(pki, "admin.crt"), host.Certificates.AdminCertificatePem, ct);
        await File.WriteAllTextAsync(Path.Combine(pki, "admin.key"), host.Certificates.AdminKeyPem, ct);
        await File.WriteAllTextAsync(Path.Combine(pki, "ca.crt"), host.Certificates.CaPem, ct);
        Console.WriteLine($"{"store",-7}{"kind",-11}{"http",-5}{"clients",8}{"creates/s",11}{"p50 ms",9}{"p99 ms",9}{"srv cpu",9}{"load cpu",9}{"errors",7}{"gc0/1k",8}{"gc µs",7}{"rss MB",8}  load average");
        var results = new List<(string Kind, string Http, int Clients, CreateLoadResult R)>();
        foreach (var kind in kinds)
        {
            foreach (var version in versions)
            {
                if (Warmup > TimeSpan.Zero)
                {
                    using var warm = await StartLoadAsync($"{run}-{version.Replace(".", "", StringComparison.Ordinal)}-warm-", kind, version, clients.Max(), Warmup);
                    await warm.ResultAsync(ct);
                }

                foreach (var (c, row) in clients.Select((c, i) => (c, i)))
                {
                    // The row index keeps names unique when a client count is listed twice (repeats for a median).
                    // The clients run in a child process: this process's CPU over the measure is the server's alone.
                    using var load = await StartLoadAsync($"{run}-{version.Replace(".", "", StringComparison.Ordinal)}-{c}-{row}-", kind, version, c, duration);
                    Skiff.ApiServer.Store.WriteProfile.Reset();
                    var etcd0 = etcdUrl is null ? null : await EtcdMetrics.ScrapeAsync(etcdUrl, ct);
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var (gen0, pause0) = (GC.CollectionCount(0), GC.GetTotalPauseDuration());
                    var r = await load.ResultAsync(ct);
                    var creates = Math.Max(1, r.PerSecond * duration.TotalSeconds);
                    var serverCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / creates;
                    // The server's GCs per 1,000 creates and GC pause per create over the measure, and its RSS after it.
                    var gcs = (GC.CollectionCount(0) - gen0) * 1000 / creates;
                    var pause = (GC.GetTotalPauseDuration() - pause0).TotalMicroseconds / creates;
                    var rss = Startup.StartupBench.ResidentMegabytes(Environment.ProcessId);
                    results.Add((kind, version, c, r));
                    Console.WriteLine($"{store,-7}{kind,-11}{version,-5}{c,8}{r.PerSecond,11:F0}{r.P50Ms,9:F2}{r.P99Ms,9:F2}{serverCpu,9:F3}{r.CpuMsPerCreate,9:F3}{r.Errors,7}{gcs,8:F1}{pause,7:F1}{rss,8:F0}  {AuthzAdmissionBench.LoadAverage()}");
                    if (etcd0 is not null)
                    {
                        var etcd1 = await EtcdMetrics.ScrapeAsync(etcdUrl!, ct);
                        Console.WriteLine($"  etcd per create: {etcd1.PerOperation(etcd0, r.PerSecond * duration.TotalSeconds)}");
                    }

                    if (Skiff.ApiServer.Store.WriteProfile.Enabled)
                    {
                        Console.Write(Skiff.ApiServer.Store.WriteProfile.Report());
                    }
                }
            }
        }

        Console.WriteLine($"server peak RSS (VmHWM) {Startup.StartupBench.ResidentMegabytes(Environment.ProcessId, "VmHWM"):F0} MB");
        var rawAfter = await RawAsync(sqliteRaw, raw, etcdUrl, clients, duration, ct);
        var baseline = rawBefore.ToDictionary(p => p.Key, p => (p.Value + rawAfter[p.Key]) / 2);
        foreach (var (name, rate) in baseline)
        {
            Console.WriteLine($"raw {name,-28}{rate,11:F0}/s   (before {rawBefore[name]:F0}, after {rawAfter[name]:F0})");
        }

        Console.WriteLine("ratios (API creates / raw engine, same run):");
        foreach (var (kind, http, c, r) in results)
        {
            var against = store == "etcd"
                ? $"{r.PerSecond / baseline[$"etcd put x{c}"],6:F2}x etcd put x{c}, {r.PerSecond / baseline[$"etcd create x{c}"],6:F2}x create txn, {r.PerSecond / baseline[$"etcd create+watch x{c}"],6:F2}x create+watch"
                : $"{r.PerSecond / baseline["sqlite 1 row/tx"],6:F2}x one-row tx, {r.PerSecond / baseline["sqlite 256 rows/tx"],6:F2}x group commit";
            Console.WriteLine($"  {kind,-11}{http,-5}{c,4} clients: {against}");
        }

        Task<CreateLoadProcess> StartLoadAsync(string prefix, string kind, string version, int c, TimeSpan seconds) => CreateLoadProcess.StartAsync(
        [
            "--url", host.Url, "--cert", Path.Combine(pki, "admin.crt"), "--key", Path.Combine(pki, "admin.key"), "--ca", Path.Combine(pki, "ca.crt"),
            "--path", $"/api/v1/namespaces/bench/{kind}", "--kind", kind, "--prefix", prefix, "--http", version,
            "--clients", c.ToString(CultureInfo.InvariantCulture), "--seconds", seconds.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ], ct);
    }

    private static async Task<Dictionary<string, double>> RawAsync(SqliteRawBaseline? sqlite, EtcdConnection? etcd, string? etcdUrl, int[] clients, TimeSpan duration, CancellationToken ct)
    {
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (sqlite is not null)
        {
            rates["sqlite 1 row/tx"] = await sqlite.MeasureSingleWritesPerSecondAsync(duration, ct);
            rates["sqlite 256 rows/tx"] = await sqlite.MeasureBatchedWritesPerSecondAsync(duration, ct);
        }

        if (etcd is not null)
        {
            await EtcdCreateBaseline.MeasureAsync(rates, etcd, etcdUrl!, clients, duration, ct);
        }

        return rates;
    }

    private static string[] List(string[] args, string name, string fallback) =>
        (Arg(args, name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Parse(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
