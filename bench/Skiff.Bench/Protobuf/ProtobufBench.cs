using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;
using Skiff.Client.Rest;

namespace Skiff.Bench.Protobuf;

/// <summary>
/// Encode/decode cost of a Pod, a Deployment and a 500-item PodList: our protobuf codecs (JsonObject and typed) vs
/// our JSON path (JsonNode) vs KubernetesClient's System.Text.Json models, both through KubernetesJson's string API and
/// straight from/to UTF-8 bytes with the client's options (what Skiff.Client's REST layer does). Each op takes the next
/// of a rotation of distinct objects. Median time and allocated bytes per operation over 15 timed batches. Run: dotnet run -c Release --project bench/Skiff.Bench -- protobuf
/// </summary>
public static class ProtobufBench
{
    public static Task RunAsync(string[] args, CancellationToken ct)
    {
        var quick = args.Contains("--quick");
        TypedOnly = args.Contains("--typed-only");
        var loadStart = Stopwatch.GetTimestamp();
        var allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var messages = ProtoSchema.Instance.MessageCount;
        Console.WriteLine($"schema: {messages} messages loaded from the embedded resource in {Stopwatch.GetElapsedTime(loadStart).TotalMilliseconds:0.0} ms (cold, incl. JIT), {(GC.GetAllocatedBytesForCurrentThread() - allocBefore) / 1024} KB allocated");
        Console.WriteLine($"protobuf bench ({(quick ? "quick" : "full")}); .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        Console.WriteLine("each op decodes/encodes the next of a rotation of distinct objects (2048 pods, 2048 deployments, 6 lists of 500 distinct pods: more distinct values than any codec cache holds)");
        Console.WriteLine($"{"case",-40} {"median",12} {"alloc/op",12}");
        var pods = Enumerable.Range(0, 2048).Select(BenchObjects.Pod).ToArray();
        var deployments = Enumerable.Range(0, 2048).Select(BenchObjects.Deployment).ToArray();
        var lists = Enumerable.Range(0, 6).Select(k => BenchObjects.PodList(500, k * 500)).ToArray();
        var summary = new List<string>();
        summary.Add(Run<V1Pod>("Pod", pods, quick, ct));
        summary.Add(Run<V1Deployment>("Deployment", deployments, quick, ct));
        summary.Add(Run<V1PodList>("PodList(500)", lists, quick, ct));
        Console.WriteLine();
        foreach (var line in summary)
        {
            Console.WriteLine(line);
        }

        return Task.CompletedTask;
    }

    // --typed-only: just the typed protobuf rows (to compare codec variants quickly; no ratios).
    private static bool TypedOnly;

    private static readonly JsonSerializerOptions ServerJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Measures one case over a rotation of distinct objects; returns the summary line of ratios.</summary>
    private static string Run<T>(string name, JsonObject[] objects, bool quick, CancellationToken ct)
        where T : class
    {
        var pbs = objects.Select(ProtobufCodec.Encode).ToArray();
        // JSON as the API server writes it (Go's encoding/json: quotes as \", no \u0022 escapes).
        var jsonTexts = objects.Select(o => o.ToJsonString(ServerJson)).ToArray();
        var jsonBytes = jsonTexts.Select(Encoding.UTF8.GetBytes).ToArray();

        // Encode inputs are distinct model instances as the JSON deserializer makes them (no instance shared between
        // objects, so per-instance caches cannot flatter the encoder).
        var models = jsonTexts.Select(t => KubernetesJson.Deserialize<T>(t)).ToArray();
        Console.WriteLine($"-- {name}: protobuf {pbs[0].Length} bytes, JSON {jsonBytes[0].Length} bytes ({objects.Length} distinct objects)");
        var budget = quick ? 0.05 : 0.4;
        var n = objects.Length;
        int i = 0;
        if (TypedOnly)
        {
            var d = Measure($"{name} typed protobuf decode", () => TypedDecode<T>(pbs[i++ % n]), budget, ct);
            if (models[0] is V1Pod)
            {
                Measure($"{name} floor: hand-built V1Pod graph", () => BenchObjects.BuildPodFloor((V1Pod)(object)models[i++ % n]), budget, ct);
            }

            var e = Measure($"{name} typed protobuf encode", () => TypedEncode(models[i++ % n]), budget, ct);
            return $"{name,-14} typed decode {Format(d)}, encode {Format(e)}";
        }

        Measure($"{name} protobuf decode (JsonObject)", () => ProtobufCodec.Decode(pbs[i++ % n]), budget, ct);
        Measure($"{name} protobuf encode (JsonObject)", () => ProtobufCodec.Encode(objects[i++ % n]), budget, ct);
        Measure($"{name} JsonNode parse", () => JsonNode.Parse(jsonBytes[i++ % n]), budget, ct);
        Measure($"{name} JsonNode serialize", () => JsonSerializer.SerializeToUtf8Bytes(objects[i++ % n]), budget, ct);
        var options = KubernetesSerialization.Options;
        var kjDecode = Measure($"{name} KubernetesJson deserialize", () => KubernetesJson.Deserialize<T>(jsonTexts[i++ % n]), budget, ct);
        var stjDecode = Measure($"{name} STJ UTF-8 deserialize", () => JsonSerializer.Deserialize<T>(jsonBytes[i++ % n], options), budget, ct);
        var typedDecode = Measure($"{name} typed protobuf decode", () => TypedDecode<T>(pbs[i++ % n]), budget, ct);
        if (models[0] is V1Pod)
        {
            // The floor: the same object graph built by hand (strings copied, managedFields JSON parsed), no wire reading.
            Measure($"{name} floor: hand-built V1Pod graph", () => BenchObjects.BuildPodFloor((V1Pod)(object)models[i++ % n]), budget, ct);
        }
        else if (models[0] is V1PodList)
        {
            Measure($"{name} floor: hand-built V1Pod graphs", () => BuildListFloor((V1PodList)(object)models[i++ % n]), budget, ct);
        }

        var kjEncode = Measure($"{name} KubernetesJson serialize", () => KubernetesJson.Serialize(models[i++ % n]), budget, ct);
        var stjEncode = Measure($"{name} STJ UTF-8 serialize", () => JsonSerializer.SerializeToUtf8Bytes(models[i++ % n], options), budget, ct);
        var typedEncode = Measure($"{name} typed protobuf encode", () => TypedEncode(models[i++ % n]), budget, ct);
        RunTranscode(name, pbs, jsonBytes, budget, ct);
        var jsonDecode = Math.Min(kjDecode, stjDecode);
        var jsonEncode = Math.Min(kjEncode, stjEncode);
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-14} typed protobuf vs fastest JSON: decode {jsonDecode / typedDecode:0.0}× ({Format(typedDecode)} vs {Format(jsonDecode)}), encode {jsonEncode / typedEncode:0.0}× ({Format(typedEncode)} vs {Format(jsonEncode)}); vs KubernetesJson string API: decode {kjDecode / typedDecode:0.0}×, encode {kjEncode / typedEncode:0.0}×");
        Console.WriteLine(line);
        return line;
    }

    /// <summary>The byte-level entry points (protobuf ⇄ UTF-8 JSON) and Encode of an object in the server's state
    /// (parsed from stored bytes, one metadata field set) vs a fully materialised one.</summary>
    private static void RunTranscode(string name, byte[][] pbs, byte[][] jsonBytes, double budget, CancellationToken ct)
    {
        var n = pbs.Length;
        var i = 0;
        var sink = new System.Buffers.ArrayBufferWriter<byte>(jsonBytes[0].Length * 2);
        Measure($"{name} protobuf → JSON bytes", () =>
        {
            sink.ResetWrittenCount();
            ProtobufCodec.DecodeToJson(pbs[i++ % n], sink);
            return null;
        }, budget, ct);
        Measure($"{name} JSON bytes → protobuf", () => ProtobufCodec.EncodeJson(jsonBytes[i++ % n]), budget, ct);
        Measure($"{name} Encode parsed+touched", () => ProtobufCodec.Encode(Touched(jsonBytes[i++ % n])), budget, ct);
        Measure($"{name}   (parse+touch only)", () => Touched(jsonBytes[i++ % n]), budget, ct);
        var full = jsonBytes.Select(b => Materialise(JsonNode.Parse(b)!.AsObject())).ToArray();
        Measure($"{name} Encode materialised", () => ProtobufCodec.Encode(full[i++ % n]), budget, ct);
    }

    private static JsonObject Touched(byte[] jsonBytes)
    {
        var o = JsonNode.Parse(jsonBytes)!.AsObject();
        o["metadata"]!["resourceVersion"] = "999999";
        return o;
    }

    private static T Materialise<T>(T node)
        where T : JsonNode?
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o)
                {
                    Materialise(v);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Materialise(v);
                }

                break;
        }

        return node;
    }

    private static V1PodList BuildListFloor(V1PodList list)
    {
        var items = new List<V1Pod>(list.Items.Count);
        foreach (var pod in list.Items)
        {
            items.Add(BenchObjects.BuildPodFloor(pod));
        }

        return new V1PodList { ApiVersion = list.ApiVersion, Kind = list.Kind, Metadata = new V1ListMeta { ResourceVersion = list.Metadata.ResourceVersion }, Items = items };
    }

    private static T TypedDecode<T>(byte[] pb)
        => ProtobufModelCodec.TryDecode<T>(pb, out var result) ? result : throw new InvalidOperationException($"{typeof(T).Name} is not bound");

    private static byte[] TypedEncode(object model)
        => ProtobufModelCodec.TryEncode(model, out var bytes) ? bytes : throw new InvalidOperationException($"{model.GetType().Name} is not bound");

    /// <summary>Runs <paramref name="op"/> in batches sized to ~budget/9 seconds; prints the median per-op time
    /// and the allocation per op of the median batch.</summary>
    private static double Measure(string name, Func<object?> op, double budgetSeconds, CancellationToken ct)
    {
        // Warm up long enough for tiered compilation to promote the code to tier 1 (30 calls, then a 100 ms delay,
        // then a background compile): timing tier-0 code overstates small operations several-fold.
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 200 || warm.Elapsed.TotalSeconds < 1.0; i++)
        {
            op();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var sw = Stopwatch.StartNew();
        var calibrate = 0;
        while (sw.Elapsed.TotalSeconds < budgetSeconds / 15 || calibrate < 1)
        {
            op();
            calibrate++;
        }

        var perBatch = Math.Max(1, calibrate);
        var samples = new List<(double Ns, double Bytes)>();
        for (var batch = 0; batch < 15 && !ct.IsCancellationRequested; batch++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perBatch; i++)
            {
                op();
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            samples.Add((elapsed.TotalNanoseconds / perBatch, (double)allocated / perBatch));
        }

        samples.Sort((a, b) => a.Ns.CompareTo(b.Ns));
        var median = samples[samples.Count / 2];
        Console.WriteLine($"{name,-40} {Format(median.Ns),12} {FormatBytes(median.Bytes),12}");
        return median.Ns;
    }

    private static string Format(double ns) => ns switch
    {
        < 1_000 => ns.ToString("0", CultureInfo.InvariantCulture) + " ns",
        < 1_000_000 => (ns / 1_000).ToString("0.0", CultureInfo.InvariantCulture) + " µs",
        _ => (ns / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
    };

    private static string FormatBytes(double b) => b switch
    {
        < 1024 => b.ToString("0", CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (b / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => (b / 1024 / 1024).ToString("0.00", CultureInfo.InvariantCulture) + " MB",
    };
}
