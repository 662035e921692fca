using System.Diagnostics;
using k8s.Models;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Storage.Memory;

namespace Skiff.Bench.Authorization;

/// <summary>
/// The per-request cost of authorization: ConfigMap creates/s through the real HTTPS API by a user that is NOT in
/// system:masters (so the Node and RBAC authorizers and the write path checks run; the user is bound to <c>edit</c>
/// in its namespace, the bootstrap policy being in place), against the same user on a server with authorization off.
/// Both servers run in the same process, alternately, median of the runs.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- authz [--creates N] [--concurrency C] [--runs R]</c>.
/// </summary>
public static class AuthorizationBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var creates = Arg(args, "--creates", 2000);
        var concurrency = Arg(args, "--concurrency", 16);
        var runs = Arg(args, "--runs", 5);
        await using var on = await Server.StartAsync(true, ct);
        await using var off = await Server.StartAsync(false, ct);
        var rateOn = new List<double>();
        var rateOff = new List<double>();
        await on.CreatesPerSecondAsync(200, concurrency, ct); // warm-up
        await off.CreatesPerSecondAsync(200, concurrency, ct);
        for (var i = 0; i < runs; i++)
        {
            rateOff.Add(await off.CreatesPerSecondAsync(creates, concurrency, ct));
            rateOn.Add(await on.CreatesPerSecondAsync(creates, concurrency, ct));
        }

        var mOn = Median(rateOn);
        var mOff = Median(rateOff);
        Console.WriteLine($"authz: {creates} ConfigMap creates per run, {concurrency} concurrent, median of {runs} runs, user bound to edit (not system:masters)");
        Console.WriteLine("| authorization | creates/s (median) | runs |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| off (AlwaysAllow) | {mOff:F0} | {string.Join(", ", rateOff.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} |");
        Console.WriteLine($"| on (Node,RBAC) | {mOn:F0} | {string.Join(", ", rateOn.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} |");
        Console.WriteLine($"on/off = {mOn / mOff:F3} ({(1 - mOn / mOff) * 100:F1} % slower)");
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private sealed class Server : IAsyncDisposable
    {
        private readonly ApiServerHost _host;
        private readonly MemoryStorage _storage;
        private readonly string _dir;
        private readonly Clientset _user;
        private int _run;

        private Server(ApiServerHost host, MemoryStorage storage, string dir, Clientset user)
        {
            _host = host;
            _storage = storage;
            _dir = dir;
            _user = user;
        }

        public static async Task<Server> StartAsync(bool enforce, CancellationToken ct)
        {
            var dir = Path.Combine(Path.GetTempPath(), "skiff-authz-bench-" + Guid.NewGuid().ToString("N")[..8]);
            var storage = new MemoryStorage();
            var host = new ApiServerHost(new ApiServerOptions
            {
                DataDirectory = dir,
                Port = 0,
                Storage = storage,
                Resources = BuiltInResources.Create(new BuiltInResourceOptions()),
                EnforceAuthorization = enforce,
            });
            await host.StartAsync(ct).ConfigureAwait(false);
            using var admin = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(host.KubeconfigPath)) with { Qps = 0 });
            await admin.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = "bench" } }, ct: ct).ConfigureAwait(false);
            await admin.Resource<V1RoleBinding, V1RoleBindingList>("bench").CreateAsync(new V1RoleBinding
            {
                Metadata = new() { Name = "bench-edit", NamespaceProperty = "bench" },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "edit" },
                Subjects = [new Rbacv1Subject { Kind = "User", Name = "bench-user", ApiGroup = "rbac.authorization.k8s.io" }],
            }, ct: ct).ConfigureAwait(false);
            var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(dir, "pki"), "bench-user", ["bench-team"]);
            var user = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
                KubeconfigWriter.Render(host.Url, host.Certificates.CaPem, cert, key, userName: "bench-user"))) with { Qps = 0 });
            return new Server(host, storage, dir, user);
        }

        public async Task<double> CreatesPerSecondAsync(int creates, int concurrency, CancellationToken ct)
        {
            var run = ++_run;
            var client = _user.CoreV1().ConfigMaps("bench");
            var next = -1;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < creates)
                {
                    await client.CreateAsync(new V1ConfigMap
                    {
                        Metadata = new() { Name = $"cm-{run}-{i}" },
                        Data = new Dictionary<string, string> { ["k"] = "v" },
                    }, ct: ct).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
            return creates / sw.Elapsed.TotalSeconds;
        }

        public async ValueTask DisposeAsync()
        {
            _user.Dispose();
            await _host.DisposeAsync().ConfigureAwait(false);
            await _storage.DisposeAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
