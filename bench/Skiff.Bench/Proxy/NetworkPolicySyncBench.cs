using System.Diagnostics;
using k8s.Models;
using Skiff.Proxy.NetworkPolicy;
using Skiff.Proxy.Nftables;

namespace Skiff.Bench.Proxy;

/// <summary>
/// NetworkPolicy sync time (issue 15 §4): P policies over N local pods (5 namespaces; each policy selects one app label
/// of ten, allows ingress from a role in its namespace, a team namespace's clients and an ipBlock with an except on a
/// numeric and a named port, and half of them restrict egress to DNS and one app), compiled from the cache snapshot and
/// applied with one <c>nft -f</c> into a table of its own (removed at the end). Pod IPs are in 10.241.0.0/16 so no
/// real pod's traffic is matched. Run under <c>flock /tmp/skiff-realnode.lock</c>.
/// </summary>
internal static class NetworkPolicySyncBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var policyCount = BenchArgs.Int(args, "--policies", 100);
        var podCount = BenchArgs.Int(args, "--pods", 50);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var namespaces = Enumerable.Range(0, 5).ToDictionary(n => $"ns{n}",
            n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = $"ns{n}", ["team"] = n % 2 == 0 ? "a" : "b" });
        var pods = Enumerable.Range(0, podCount).Select(i => new PolicyPod(
            $"ns{i % 5}", $"pod-{i}", $"10.241.{i / 250}.{(i % 250) + 1}",
            new Dictionary<string, string> { ["app"] = $"app{i % 10}", ["role"] = i % 3 == 0 ? "client" : "server" },
            [new PolicyPod.NamedPort("http", "TCP", 8080)], Local: true)).ToList();
        var policies = Enumerable.Range(0, policyCount).Select(i => new V1NetworkPolicy
        {
            Metadata = new() { Name = $"policy-{i}", NamespaceProperty = $"ns{i % 5}" },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new() { MatchLabels = new Dictionary<string, string> { ["app"] = $"app{i % 10}" } },
                PolicyTypes = i % 2 == 0 ? ["Ingress", "Egress"] : ["Ingress"],
                Ingress =
                [
                    new()
                    {
                        FromProperty =
                        [
                            new() { PodSelector = new() { MatchLabels = new Dictionary<string, string> { ["role"] = "client" } } },
                            new()
                            {
                                NamespaceSelector = new() { MatchLabels = new Dictionary<string, string> { ["team"] = "a" } },
                                PodSelector = new() { MatchLabels = new Dictionary<string, string> { ["role"] = "client" } },
                            },
                            new() { IpBlock = new V1IPBlock { Cidr = "192.168.0.0/16", Except = [$"192.168.{i % 256}.0/24"] } },
                        ],
                        Ports = [new() { Port = 80, Protocol = "TCP" }, new() { Port = "http", Protocol = "TCP" }],
                    },
                ],
                Egress = i % 2 == 0
                    ?
                    [
                        new() { Ports = [new() { Port = 53, Protocol = "UDP" }, new() { Port = 53, Protocol = "TCP" }] },
                        new() { To = [new() { PodSelector = new() { MatchLabels = new Dictionary<string, string> { ["app"] = $"app{(i + 1) % 10}" } } }] },
                    ]
                    : null,
            },
        }).ToList();
        var input = new PolicyInput(policies, pods, namespaces);
        var writer = new NetworkPolicyRuleWriter("np-bench-" + Environment.ProcessId);
        var generate = new List<double>();
        PolicyScript script = null!;
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            script = writer.Write(input);
            generate.Add(sw.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"netpol-sync: {policyCount} policies x {podCount} local pods: {script.RuleCount} rules, {script.IngressIsolatedPods} pods isolated for ingress, {script.EgressIsolatedPods} for egress, {script.Text.Length / 1024} KiB transaction");
        Console.WriteLine($"  compile              median {Median(generate):F1} ms  (runs: {string.Join(", ", generate.Select(f => f.ToString("F1")))})");
        if (Environment.UserName != "root" || !NftCommand.IsAvailable())
        {
            Console.WriteLine("  (not root or no nft: apply not measured)");
            return 0;
        }

        var nft = new NftCommand();
        var sync = new List<double>();
        try
        {
            for (var r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                await nft.ApplyAsync(writer.Write(input).Text, ct);
                sync.Add(sw.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            await nft.ApplyAsync(writer.Cleanup(), CancellationToken.None);
        }

        Console.WriteLine($"  sync (compile + nft -f, table replaced) median {Median(sync):F1} ms  (runs: {string.Join(", ", sync.Select(f => f.ToString("F0")))})");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
