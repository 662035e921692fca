using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Skiff.Cri;
using Skiff.Bench.Client;
using Skiff.Kubelet;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Network;
using Skiff.Kubelet.Pods;
using Skiff.Proxy;
using Skiff.Proxy.Nftables;

namespace Skiff.Bench.Proxy;

/// <summary>
/// Connect latency through a ClusterIP against the pod IP direct, in one run (issue 15): containerd under a temp dir,
/// the real kubelet on its own bridge (<c>skb1</c>, 10.243.0.0/24), one busybox httpd pod, a Service whose
/// EndpointSlice points at it and kube-proxy (nftables, its own table). From the host, <c>--connects</c> TCP
/// connections to each target, interleaved (connect until established, then close); prints p50/p99 and the ratios.
/// Run (root): <c>flock /tmp/skiff-realnode.lock dotnet run -c Release --project bench/Skiff.Bench -- connect-latency
/// [--connects 2000]</c>.
/// </summary>
internal static class ConnectLatencyBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!ContainerdSupervisor.CanStart() || !SkiffImages.CanBuild || !NftCommand.IsAvailable())
        {
            Console.Error.WriteLine("connect-latency bench: needs root, /usr/bin/containerd, nft and busybox-static");
            return 1;
        }

        var connects = BenchArgs.Int(args, "--connects", 2000);
        var dir = Path.Combine("/tmp", "skc-" + Guid.NewGuid().ToString("N")[..8]);
        await using var containerd = await ContainerdSupervisor.StartAsync(new ContainerdConfig { Directory = dir }, null, TimeSpan.FromSeconds(60), ct);
        using (var cri = CriConnection.Connect(containerd.Endpoint))
        {
            await ImageImporter.EnsureAsync(cri, SkiffImages.PauseImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct);
            await ImageImporter.EnsureAsync(cri, SkiffImages.BusyboxImage, containerd.Config.Snapshotter, Path.Combine(dir, "images"), ct);
        }

        const string cidr = "10.243.0.0/24";
        await CniConfigWriter.WriteAsync(containerd.Config.CniConfDirectory, cidr, "skb1", ct);
        await using var server = await BenchServer.StartAsync(ct);
        using var cs = server.Clientset();
        var options = new KubeletOptions { NodeName = "bench-node", RootDirectory = Path.Combine(dir, "kubelet"), PodCidr = cidr, Bridge = "skb1", ShutdownGracePeriod = TimeSpan.FromSeconds(20) };
        var kubelet = await RealKubelet.StartAsync(server.Clientset(), containerd.Endpoint, containerd.Config.CniConfDirectory, options, null, null, ct);
        var rules = new NftablesOptions { TableName = "kp-connect-" + Environment.ProcessId, ClusterCidr = cidr, ServiceCidr = null };
        Proxier? proxier = null;
        try
        {
            // No controller manager here: the ServiceAccount admission needs the default account to exist.
            await cs.CoreV1().ServiceAccounts("default").CreateAsync(new V1ServiceAccount { Metadata = new() { Name = "default" } }, ct: ct);
            await cs.CoreV1().Pods("default").CreateAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "web" },
                Spec = new V1PodSpec
                {
                    NodeName = "bench-node",
                    TerminationGracePeriodSeconds = 1,
                    AutomountServiceAccountToken = false,
                    Containers = [new V1Container { Name = "httpd", Image = SkiffImages.BusyboxImage, ImagePullPolicy = "IfNotPresent", Command = ["httpd", "-f", "-p", "80", "-h", "/"] }],
                },
            }, ct: ct);
            var podIp = await UntilAsync(async () => (await cs.CoreV1().Pods("default").GetAsync("web", ct: ct)).Status?.PodIP, "the pod's IP");
            var svc = await cs.CoreV1().Services("default").CreateAsync(new V1Service
            {
                Metadata = new() { Name = "web" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] },
            }, ct: ct);
            await cs.Resource<V1EndpointSlice, V1EndpointSliceList>("default").CreateAsync(new V1EndpointSlice
            {
                Metadata = new() { Name = "web-1", Labels = new Dictionary<string, string> { [Skiff.Proxy.Model.ServiceSnapshot.ServiceNameLabel] = "web" } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = [podIp], Conditions = new V1EndpointConditions { Ready = true }, NodeName = "bench-node" }],
                Ports = [new Discoveryv1EndpointPort { Port = 80, Protocol = "TCP", Name = "" }],
            }, ct: ct);
            proxier = await Proxier.StartAsync(server.Clientset(), new ProxierOptions
            {
                NodeName = "bench-node",
                Nftables = rules,
                MinSyncPeriod = TimeSpan.FromMilliseconds(100),
                HealthzPort = 0,
                MetricsPort = 0,
                ServeServiceHealthChecks = false,
            }, ct);
            var clusterIp = svc.Spec.ClusterIP;
            await UntilAsync(async () => await ConnectAsync(clusterIp) is not null ? "ok" : null, "the ClusterIP answering");
            await UntilAsync(async () => await ConnectAsync(podIp) is not null ? "ok" : null, "the pod IP answering");

            // Warm-up, then interleaved runs so both targets see the same machine load.
            for (var i = 0; i < 100; i++)
            {
                await ConnectAsync(clusterIp);
                await ConnectAsync(podIp);
            }

            var viaService = new List<double>(connects);
            var direct = new List<double>(connects);
            for (var i = 0; i < connects; i++)
            {
                viaService.Add(await ConnectAsync(clusterIp) ?? double.NaN);
                direct.Add(await ConnectAsync(podIp) ?? double.NaN);
            }

            viaService.RemoveAll(double.IsNaN);
            direct.RemoveAll(double.IsNaN);
            viaService.Sort();
            direct.Sort();
            Console.WriteLine($"connect-latency: {connects} TCP connects each from the host, interleaved; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
            foreach (var (label, ip, values) in new[] { ("pod IP direct", podIp, direct), ("via ClusterIP", clusterIp, viaService) })
            {
                // A connect over 500 ms is a retransmitted SYN (1 s initial RTO): counted apart, it says nothing of the path.
                Console.WriteLine($"  {label,-14} {ip,-15} p50 {Pct(values, 0.50):F1} µs  p90 {Pct(values, 0.90):F1} µs  p99 {Pct(values, 0.99):F1} µs  ({values.Count} ok, {values.Count(v => v > 500_000)} SYN retransmits)");
            }

            Console.WriteLine($"  ratio ClusterIP / direct: p50 x{Pct(viaService, 0.50) / Pct(direct, 0.50):F2}, p90 x{Pct(viaService, 0.90) / Pct(direct, 0.90):F2}, p99 x{Pct(viaService, 0.99) / Pct(direct, 0.99):F2}");
        }
        finally
        {
            if (proxier is not null)
            {
                await proxier.DisposeAsync();
                await Proxier.CleanupAsync(rules, null, CancellationToken.None);
            }

            await kubelet.DisposeAsync();
        }

        return 0;
    }

    /// <summary>Microseconds until the connection is established (null: refused or timed out after 2 s).</summary>
    private static async Task<double?> ConnectAsync(string ip)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var start = Stopwatch.GetTimestamp();
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(ip), 80, timeout.Token);
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<string> UntilAsync(Func<Task<string?>> get, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            if (await get() is { Length: > 0 } value)
            {
                return value;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await timer.WaitForNextTickAsync();
        }
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1))];
}
