using System.Globalization;
using k8s.Models;
using Skiff.ApiServer.Admission;
using Skiff.Bench.Client;

namespace Skiff.Bench.Api;

/// <summary>
/// Issue 14's question: how much slower are creates with authorization and admission on? Pod and ConfigMap creates/s
/// through the real HTTPS API (pre-encoded bodies, one HTTP/2 connection, <c>--clients</c> concurrent requests) by a
/// user who is not in <c>system:masters</c> and is bound to <c>edit</c> in the namespace, on a server with
/// <c>Node,RBAC</c> authorization and upstream's default admission chain (NamespaceLifecycle, LimitRanger,
/// ServiceAccount, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass, the webhook and
/// ValidatingAdmissionPolicy plugins with no configurations, ResourceQuota) against one with AlwaysAllow and every
/// admission plugin off. The namespace has its default service account, a LimitRange with container defaults,
/// PodSecurity enforce=baseline and a ResourceQuota on pods, configmaps and requests (unless <c>--no-quota</c>); both
/// servers get the same objects. Runs alternate between the servers (the order flips every run); medians, the ratio,
/// the process CPU per create, and the load average are printed.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Skiff.Bench -- authz-admission [--kinds pods,configmaps] [--clients 16]
/// [--seconds 5] [--runs 3] [--warmup 3] [--warmup-rounds 8] [--no-quota] [--store memory|sqlite] [--authz on|off] [--admission on|off] [--only on|off]</c> (<c>--only</c>: measure one
/// side, for a profiler). <c>authz</c> is the same with
/// <c>--admission off</c> (the cost of authorization alone), <c>admission</c> with <c>--authz off</c>. With
/// <c>SKIFF_PROFILE_WRITES=1</c> the server's per-phase cost of creates (<c>WriteProfile</c>) and the CPU of each admission
/// plugin and of authorization (<c>AdmissionProfile</c>, "on" server only) are printed after each measure.
/// </remarks>
internal static class AuthzAdmissionBench
{
    private const string Namespace = "bench";
    private const string User = "bench-user";

    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var kinds = Arg(args, "--kinds", "pods,configmaps").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var clients = BenchArgs.Int(args, "--clients", 16);
        var duration = TimeSpan.FromSeconds(BenchArgs.Int(args, "--seconds", 5));
        var runs = BenchArgs.Int(args, "--runs", 3);
        var warmup = TimeSpan.FromSeconds(BenchArgs.Int(args, "--warmup", 3));
        var quota = !args.Contains("--no-quota");
        var sqlite = Arg(args, "--store", "memory") == "sqlite";
        var authz = Arg(args, "--authz", "on") == "on";
        var admission = Arg(args, "--admission", "on") == "on";
        var only = args.Contains("--only") ? Arg(args, "--only", "on") : null; // profile one side (perf record)
        var onName = (authz, admission) switch
        {
            (true, true) => "Node,RBAC + default admission",
            (true, false) => "Node,RBAC, no admission",
            (false, true) => "AlwaysAllow + default admission",
            _ => "AlwaysAllow, no admission",
        };

        Console.WriteLine($"authz-admission: {string.Join(",", kinds)} creates, {clients} concurrent on one HTTP/2 connection, {duration.TotalSeconds:F0} s per measure, " +
                          $"median of {runs} alternating runs, user bound to edit, quota {(quota ? "on" : "off")}, store {(sqlite ? "sqlite" : "memory")}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        await using var on = await StartAsync(authz, admission, quota, sqlite, ct);
        await using var off = await StartAsync(false, false, quota, sqlite, ct);
        var results = new Dictionary<(string Kind, bool On), List<CreateLoadResult>>();
        foreach (var kind in kinds)
        {
            results[(kind, true)] = [];
            results[(kind, false)] = [];
        }

        await WarmAsync(kinds, [on, off], clients, warmup, BenchArgs.Int(args, "--warmup-rounds", 8), ct);

        for (var run = 0; run < runs; run++)
        {
            foreach (var kind in kinds)
            {
                var order = run % 2 == 0 ? new[] { (off, false), (on, true) } : [(on, true), (off, false)];
                foreach (var (server, isOn) in order.Where(o => only is null || o.Item2 == (only == "on")))
                {
                    Skiff.ApiServer.Store.WriteProfile.Reset();
                    Skiff.ApiServer.Admission.AdmissionProfile.Reset();
                    var r = await server.MeasureAsync(kind, $"r{run}", clients, duration, ct);
                    results[(kind, isOn)].Add(r);
                    Console.WriteLine($"run {run + 1} {kind,-10} {(isOn ? "on " : "off")}: {r.PerSecond,7:F0} creates/s, p50 {r.P50Ms:F2} ms, p99 {r.P99Ms:F2} ms, cpu {r.CpuMsPerCreate:F3} ms/create, " +
                                      $"alloc {r.KbPerCreate:F1} KB/create, gc pause {r.GcPauseUsPerCreate:F1} µs/create, jit {r.JitUsPerCreate:F1} µs/create, errors {r.Errors}");
                    if (Skiff.ApiServer.Store.WriteProfile.Enabled)
                    {
                        Console.Write(Skiff.ApiServer.Store.WriteProfile.Report());
                        if (isOn)
                        {
                            Console.Write(Skiff.ApiServer.Admission.AdmissionProfile.Report());
                        }
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"on = {onName}; off = AlwaysAllow, no admission; load average {LoadAverage()}");
        Console.WriteLine("| kind | off creates/s | on creates/s | on/off | off cpu ms/create | on cpu ms/create | KB/create off → on | gc pause µs/create off → on | jit µs/create off → on | runs off | runs on |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var kind in kinds)
        {
            var rOff = results[(kind, false)];
            var rOn = results[(kind, true)];
            if (rOff.Count == 0 || rOn.Count == 0)
            {
                continue;
            }

            var (mOff, mOn) = (Stats.Median(rOff.Select(r => r.PerSecond).ToList()), Stats.Median(rOn.Select(r => r.PerSecond).ToList()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kind} | {mOff:F0} | {mOn:F0} | {mOn / mOff:F3} ({(1 - (mOn / mOff)) * 100:F1} % slower) | " +
                $"{Stats.Median(rOff.Select(r => r.CpuMsPerCreate).ToList()):F3} | {Stats.Median(rOn.Select(r => r.CpuMsPerCreate).ToList()):F3} | " +
                $"{Stats.Median(rOff.Select(r => r.KbPerCreate).ToList()):F1} → {Stats.Median(rOn.Select(r => r.KbPerCreate).ToList()):F1} | " +
                $"{Stats.Median(rOff.Select(r => r.GcPauseUsPerCreate).ToList()):F1} → {Stats.Median(rOn.Select(r => r.GcPauseUsPerCreate).ToList()):F1} | " +
                $"{Stats.Median(rOff.Select(r => r.JitUsPerCreate).ToList()):F1} → {Stats.Median(rOn.Select(r => r.JitUsPerCreate).ToList()):F1} | " +
                $"{string.Join(", ", rOff.Select(r => r.PerSecond.ToString("F0", CultureInfo.InvariantCulture)))} | {string.Join(", ", rOn.Select(r => r.PerSecond.ToString("F0", CultureInfo.InvariantCulture)))} |"));
        }
    }

    /// <summary>
    /// Warms both servers on every kind (connections, caches, JIT tiering) in rounds of <paramref name="warmup"/> per side
    /// and kind until a round compiles under 1 % more methods (at most <paramref name="maxRounds"/>). On a loaded machine
    /// the background tier-1 compiler lags for a minute or more; a side measured while part of its code still runs
    /// unoptimised (the "on" side has more code: the plugins, authorization) looks several times slower than it is.
    /// </summary>
    private static async Task WarmAsync(string[] kinds, Server[] servers, int clients, TimeSpan warmup, int maxRounds, CancellationToken ct)
    {
        var before = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (var round = 1; round <= Math.Max(1, maxRounds); round++)
        {
            foreach (var kind in kinds)
            {
                foreach (var s in servers)
                {
                    await s.MeasureAsync(kind, $"warm{round}", clients, warmup, ct);
                }
            }

            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            Console.WriteLine($"warm-up round {round}: {now - before} methods compiled ({now} in all), load average {LoadAverage()}");
            if (round > 1 && now - before < now / 100)
            {
                return;
            }

            before = now;
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages (<c>/proc/loadavg</c>).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<Server> StartAsync(bool authz, bool admission, bool quota, bool sqlite, CancellationToken ct)
    {
        var server = await BenchServer.StartAsync(o => o with
        {
            WatchCache = true,
            EnforceAuthorization = authz,
            DisableAdmissionPlugins = admission ? [] : AdmissionPluginCatalog.Ordered,
        }, ct, sqlite).ConfigureAwait(false);
        var user = await server.BoundUserAsync(Namespace, User, "edit", ct).ConfigureAwait(false);
        using var admin = server.Clientset();
        var ns = await admin.CoreV1().Namespaces().GetAsync(Namespace, ct: ct).ConfigureAwait(false);
        ns.Metadata.Labels = new Dictionary<string, string> { ["pod-security.kubernetes.io/enforce"] = "baseline" };
        await admin.CoreV1().Namespaces().UpdateAsync(ns, ct: ct).ConfigureAwait(false);
        await admin.CoreV1().ServiceAccounts(Namespace).CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ct: ct).ConfigureAwait(false);
        await admin.Resource<V1LimitRange, V1LimitRangeList>(Namespace).CreateAsync(new V1LimitRange
        {
            Metadata = new V1ObjectMeta { Name = "limits" },
            Spec = new V1LimitRangeSpec { Limits = [new V1LimitRangeItem { Type = "Container", DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } }] },
        }, ct: ct).ConfigureAwait(false);
        if (quota)
        {
            // No quota controller runs here: the status the controller would compute is written by hand.
            var quotas = admin.Resource<V1ResourceQuota, V1ResourceQuotaList>(Namespace);
            var hard = new Dictionary<string, ResourceQuantity>
            {
                ["pods"] = new("1000000"), ["configmaps"] = new("1000000"), ["requests.cpu"] = new("100k"), ["requests.memory"] = new("100Ti"),
            };
            var q = await quotas.CreateAsync(new V1ResourceQuota { Metadata = new V1ObjectMeta { Name = "q" }, Spec = new V1ResourceQuotaSpec { Hard = hard } }, ct: ct).ConfigureAwait(false);
            q.Status = new V1ResourceQuotaStatus
            {
                Hard = hard,
                Used = new Dictionary<string, ResourceQuantity> { ["pods"] = new("0"), ["configmaps"] = new("0"), ["requests.cpu"] = new("0"), ["requests.memory"] = new("0") },
            };
            await quotas.UpdateStatusAsync(q, ct: ct).ConfigureAwait(false);
        }

        return new Server(server, user);
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private sealed class Server(BenchServer server, BenchUser user) : IAsyncDisposable
    {
        private CreateLoad? _load;
        private int _clients;

        public async Task<CreateLoadResult> MeasureAsync(string kind, string run, int clients, TimeSpan duration, CancellationToken ct)
        {
            if (_load is null || _clients != clients)
            {
                _load?.Dispose();
                _load = new CreateLoad(server.Host.Url, user.Certificate, server.Host.Certificates.Ca, http2: true, clients);
                _clients = clients;
            }

            var prefix = $"{run}-";
            Func<long, byte[]> body = kind == "pods" ? i => CreateLoad.Pod(prefix, i) : i => CreateLoad.ConfigMap(prefix, i);
            return await _load.RunAsync($"/api/v1/namespaces/{Namespace}/{kind}", body, clients, duration, ct).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            _load?.Dispose();
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
