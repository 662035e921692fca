using System.Diagnostics;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Typed;

namespace Skiff.Bench.Client;

/// <summary>
/// A typed List of N pods over HTTPS (in-process API server on loopback, memory store) with the typed client speaking
/// protobuf and JSON, in the same run, interleaved: median wall time per List (request to decoded
/// <see cref="V1PodList"/>), response bytes on the wire, and client-side bytes allocated per List.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- client-wire [--pods N] [--runs N]</c>.
/// </summary>
public static class WireFormatBench
{
    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var pods = BenchArgs.Int(args, "--pods", 2000);
        var runs = BenchArgs.Int(args, "--runs", 30);
        Console.WriteLine($"client wire-format bench: typed List of {pods} pods over HTTPS; .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        await using var server = await BenchServer.StartAsync(ct).ConfigureAwait(false);
        var baseConfig = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(server.KubeconfigPath)) with { Qps = 0 };
        using var setup = new Clientset(baseConfig);
        const string ns = "bench-wire";
        await setup.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, ct: ct).ConfigureAwait(false);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < pods; i = Interlocked.Increment(ref next))
            {
                await setup.CoreV1().Pods(ns).CreateAsync(Pod(i), ct: ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);

        var formats = new[] { WireFormat.Protobuf, WireFormat.Json };
        var clients = formats.ToDictionary(f => f, f => new Clientset(baseConfig with { ContentType = f }));
        var times = formats.ToDictionary(f => f, _ => new List<double>());
        var allocs = formats.ToDictionary(f => f, _ => new List<double>());
        try
        {
            for (var run = -3; run < runs; run++)
            {
                foreach (var f in run % 2 == 0 ? formats : formats.Reverse())
                {
                    var totalBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var sw = Stopwatch.StartNew();
                    var list = await clients[f].CoreV1().Pods(ns).ListAsync(ct: ct).ConfigureAwait(false);
                    var ms = sw.Elapsed.TotalMilliseconds;
                    var alloc = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
                    if (list.Items.Count != pods || list.Items[^1].Spec.Containers[0].Image != "registry.k8s.io/pause:3.10")
                    {
                        throw new InvalidOperationException($"{f}: listed {list.Items.Count} of {pods}");
                    }

                    if (run >= 0)
                    {
                        times[f].Add(ms);
                        allocs[f].Add(alloc);
                    }
                }
            }

            await DecodeOnlyAsync(clients, ns, ct).ConfigureAwait(false);
            foreach (var f in formats)
            {
                var bytes = await WireBytesAsync(baseConfig with { ContentType = f }, ns, ct).ConfigureAwait(false);
                Console.WriteLine($"{f,-8} List {pods} pods: median {Stats.Median(times[f]):0.0} ms (p90 {Stats.Percentile(times[f], 0.9):0.0}), "
                    + $"{bytes.Bytes / 1024.0:0} KiB on the wire ({bytes.Bytes / (double)pods:0} B/pod, {bytes.ContentType}), "
                    + $"allocated {Stats.Median(allocs[f]) / 1048576:0.0} MiB/List process-wide (client + in-process server) ({runs} runs, interleaved)");
            }
        }
        finally
        {
            foreach (var c in clients.Values)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>Client-side decoding alone: the same List response bytes to a <see cref="V1PodList"/>, per format, and
    /// the protobuf envelope to a JsonObject (the codec's share).</summary>
    private static async Task DecodeOnlyAsync(Dictionary<WireFormat, Clientset> clients, string ns, CancellationToken ct)
    {
        var pb = await clients[WireFormat.Protobuf].Rest.Get().Namespace(ns).Resource("pods").PreferProtobuf("v1", "Pod").DoAsync(ct).ConfigureAwait(false);
        var json = await clients[WireFormat.Json].Rest.Get().Namespace(ns).Resource("pods").DoAsync(ct).ConfigureAwait(false);
        var cases = new (string Name, Func<object> Decode)[]
        {
            ("protobuf → V1PodList (typed codec, RestResult.Into)", () => pb.Into<V1PodList>()),
            ("protobuf → V1PodList (JsonObject path)", () => System.Text.Json.JsonSerializer.Deserialize<V1PodList>(Skiff.Api.Protobuf.ProtobufCodec.Decode(pb.Body), Skiff.Client.Rest.KubernetesSerialization.Options)!),
            ("protobuf → JsonObject (codec only)", () => Skiff.Api.Protobuf.ProtobufCodec.Decode(pb.Body)),
            ("JSON → V1PodList", () => json.Into<V1PodList>()),
        };
        foreach (var (name, decode) in cases)
        {
            var samples = new List<double>();
            for (var i = -2; i < 15; i++)
            {
                var sw = Stopwatch.StartNew();
                GC.KeepAlive(decode());
                if (i >= 0)
                {
                    samples.Add(sw.Elapsed.TotalMilliseconds);
                }
            }

            Console.WriteLine($"decode only, {name}: median {Stats.Median(samples):0.0} ms (15 runs)");
        }
    }

    /// <summary>One List through a transport wrapper that buffers the response and reports its size and content type.</summary>
    private static async Task<(long Bytes, string? ContentType)> WireBytesAsync(ClientConfig config, string ns, CancellationToken ct)
    {
        var counter = new CountingHandler();
        using var cs = new Clientset(config with { WrapTransport = inner => { counter.InnerHandler = inner; return counter; } });
        await cs.CoreV1().Pods(ns).ListAsync(ct: ct).ConfigureAwait(false);
        return (counter.Bytes, counter.ContentType);
    }

    internal static V1Pod Pod(int i) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"pod-{i:D5}",
            Labels = new Dictionary<string, string> { ["app"] = $"app-{i % 10}", ["tier"] = "bench", ["pod-template-hash"] = "5d8f7c9b4" },
            Annotations = new Dictionary<string, string> { ["example.com/owner"] = "team-" + (i % 7) },
        },
        Spec = new V1PodSpec
        {
            NodeName = $"node-{i % 100}",
            Containers =
            [
                new V1Container
                {
                    Name = "main",
                    Image = "registry.k8s.io/pause:3.10",
                    Args = ["--port", "8080"],
                    Env = [new V1EnvVar { Name = "MODE", Value = "bench" }, new V1EnvVar { Name = "INDEX", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }],
                    Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080, Protocol = "TCP" }],
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                        Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("128Mi") },
                    },
                },
            ],
        },
    };

    private sealed class CountingHandler : DelegatingHandler
    {
        public long Bytes { get; private set; }

        public string? ContentType { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            Bytes = (await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)).LongLength;
            ContentType = response.Content.Headers.ContentType?.MediaType;
            return response;
        }
    }
}
