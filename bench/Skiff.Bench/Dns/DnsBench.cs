using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Dns.Server;
using Skiff.Dns.Zone;

namespace Skiff.Bench.Dns;

/// <summary>
/// Cluster DNS throughput and latency: the real server (UDP, 127.0.0.1) over a zone of N ClusterIP services and N/10
/// headless services with 10 endpoints each, and an in-process upstream for forwarded names. C concurrent clients
/// (ARSoft's client, one UDP exchange per query) ask for T seconds per case; reports queries/s and p50/p99 latency
/// for an in-cluster name and for a forwarded name in the same run.
/// </summary>
internal static class DnsBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var services = Arg(args, "--services", 1000);
        var seconds = Arg(args, "--seconds", 5);
        var concurrency = Arg(args, "--concurrency", 16);
        var zone = new ClusterZone(new ZoneSettings());
        for (var i = 0; i < services; i++)
        {
            zone.SetService(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "svc-" + i, NamespaceProperty = "bench" },
                Spec = new V1ServiceSpec { ClusterIP = $"10.0.{i / 250}.{(i % 250) + 2}", Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }] },
            });
        }

        for (var i = 0; i < services / 10; i++)
        {
            zone.SetService(new V1Service { Metadata = new V1ObjectMeta { Name = "hl-" + i, NamespaceProperty = "bench" }, Spec = new V1ServiceSpec { ClusterIP = "None" } });
            zone.SetSlice(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "hl-" + i, NamespaceProperty = "bench", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "hl-" + i } },
                AddressType = "IPv4",
                Endpoints = Enumerable.Range(0, 10).Select(e => new V1Endpoint { Addresses = [$"10.{42 + (i / 250)}.{i % 250}.{e + 2}"], Conditions = new V1EndpointConditions { Ready = true } }).ToList(),
            });
        }

        var build = Stopwatch.StartNew();
        var names = zone.Snapshot().NameCount;
        Console.WriteLine($"zone: {services} ClusterIP + {services / 10} headless services (10 endpoints each), {names} names, built in {build.Elapsed.TotalMilliseconds:F0} ms");

        using var upstream = StartUpstream(out var upstreamEndpoint);
        using var forwarder = new DnsForwarder([upstreamEndpoint], TimeSpan.FromSeconds(2));
        using var server = new ClusterDnsServer(zone, forwarder, NullLogger.Instance);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = server.Endpoint!;
        Console.WriteLine($"server udp://{endpoint}, {concurrency} concurrent clients, {seconds} s per case");
        foreach (var (label, name) in new[] { ("in-cluster", "svc-17.bench.svc.cluster.local"), ("headless", "hl-3.bench.svc.cluster.local") })
        {
            // The server's own cost: the handler called in process (no sockets, no client).
            var query = new DnsMessage();
            query.Questions.Add(new DnsQuestion(DomainName.Parse(name), RecordType.A, RecordClass.INet));
            var clock = Stopwatch.StartNew();
            var n = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(1))
            {
                await server.AnswerAsync(query, "udp", ct);
                n++;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in-process {label,-11} {n / clock.Elapsed.TotalSeconds,8:F0} answers/s on one thread"));
        }

        foreach (var (label, name) in new[] { ("in-cluster", "svc-17.bench.svc.cluster.local"), ("headless", "hl-3.bench.svc.cluster.local"), ("forwarded", "www.example.test") })
        {
            await RunCaseAsync(label, name, endpoint, concurrency, TimeSpan.FromSeconds(1), ct); // warm-up
            await RunCaseAsync(label, name, endpoint, concurrency, TimeSpan.FromSeconds(seconds), ct);
        }
    }

    private static async Task RunCaseAsync(string label, string name, IPEndPoint server, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var domain = DomainName.Parse(name);
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            latencies[w] = [];
            var client = new DnsClient([server.Address], [new UdpClientTransport(server.Port)], true, 2000);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await client.ResolveAsync(domain, RecordType.A, token: ct);
                if (answer is null || answer.AnswerRecords.Count == 0)
                {
                    Interlocked.Increment(ref failures);
                }

                latencies[w].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        if (duration < TimeSpan.FromSeconds(2))
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-11} {name,-34} {all.Count / elapsed,8:F0} q/s  p50 {Percentile(all, 0.50):F2} ms  p99 {Percentile(all, 0.99):F2} ms  failures {failures}"));
    }

    private static DnsServer StartUpstream(out IPEndPoint endpoint)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var server = new DnsServer(new UdpServerTransport(endpoint, 5000));
        server.QueryReceived += (_, e) =>
        {
            var q = (DnsMessage)e.Query;
            var r = q.CreateResponseInstance();
            r.AnswerRecords.Add(new ARecord(q.Questions[0].Name, 60, IPAddress.Parse("192.0.2.7")));
            e.Response = r;
            return Task.CompletedTask;
        };
        server.Start();
        return server;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
