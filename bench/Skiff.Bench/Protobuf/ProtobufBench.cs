using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;

namespace Skiff.Bench.Protobuf;

/// <summary>
/// Encode/decode cost of a Pod, a Deployment and a 500-item PodList: our protobuf codec vs our JSON path
/// (JsonNode parse / UTF-8 serialize) vs KubernetesClient's System.Text.Json models. Median time and allocated
/// bytes per operation over several timed batches. Run: dotnet run -c Release --project bench/Skiff.Bench -- protobuf
/// </summary>
public static class ProtobufBench
{
    public static Task RunAsync(string[] args, CancellationToken ct)
    {
        var quick = args.Contains("--quick");
        var loadStart = Stopwatch.GetTimestamp();
        var allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var messages = ProtoSchema.Instance.MessageCount;
        Console.WriteLine($"schema: {messages} messages loaded from the embedded resource in {Stopwatch.GetElapsedTime(loadStart).TotalMilliseconds:0.0} ms (cold, incl. JIT), {(GC.GetAllocatedBytesForCurrentThread() - allocBefore) / 1024} KB allocated");
        var pod = BenchObjects.Pod(0);
        var deployment = BenchObjects.Deployment();
        var list = BenchObjects.PodList(500);
        Console.WriteLine($"protobuf bench ({(quick ? "quick" : "full")}); .NET {Environment.Version}; {Environment.ProcessorCount} cpus");
        Console.WriteLine($"{"case",-36} {"median",12} {"alloc/op",12}");
        Run("Pod", pod, BenchCase.Pod, quick, ct);
        Run("Deployment", deployment, BenchCase.Deployment, quick, ct);
        Run("PodList(500)", list, BenchCase.PodList, quick, ct);
        return Task.CompletedTask;
    }

    private enum BenchCase
    {
        Pod,
        Deployment,
        PodList,
    }

    private static void Run(string name, JsonObject obj, BenchCase kind, bool quick, CancellationToken ct)
    {
        var pb = ProtobufCodec.Encode(obj);
        var jsonBytes = Encoding.UTF8.GetBytes(obj.ToJsonString());
        var jsonText = obj.ToJsonString();
        object typed = kind switch
        {
            BenchCase.Pod => KubernetesJson.Deserialize<V1Pod>(jsonText),
            BenchCase.Deployment => KubernetesJson.Deserialize<V1Deployment>(jsonText),
            _ => KubernetesJson.Deserialize<V1PodList>(jsonText),
        };
        Console.WriteLine($"-- {name}: protobuf {pb.Length} bytes, JSON {jsonBytes.Length} bytes");
        var budget = quick ? 0.05 : 0.4;
        Measure($"{name} protobuf decode", () => ProtobufCodec.Decode(pb), budget, ct);
        Measure($"{name} protobuf encode", () => ProtobufCodec.Encode(obj), budget, ct);
        Measure($"{name} JsonNode parse", () => JsonNode.Parse(jsonBytes), budget, ct);
        Measure($"{name} JsonNode serialize", () => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(obj), budget, ct);
        double jsonDecode, typedDecode;
        switch (kind)
        {
            case BenchCase.Pod:
                jsonDecode = Measure($"{name} KubernetesJson deserialize", () => KubernetesJson.Deserialize<V1Pod>(jsonText), budget, ct);
                typedDecode = Measure($"{name} typed protobuf decode", () => TypedDecode<V1Pod>(pb), budget, ct);
                break;
            case BenchCase.Deployment:
                jsonDecode = Measure($"{name} KubernetesJson deserialize", () => KubernetesJson.Deserialize<V1Deployment>(jsonText), budget, ct);
                typedDecode = Measure($"{name} typed protobuf decode", () => TypedDecode<V1Deployment>(pb), budget, ct);
                break;
            default:
                jsonDecode = Measure($"{name} KubernetesJson deserialize", () => KubernetesJson.Deserialize<V1PodList>(jsonText), budget, ct);
                typedDecode = Measure($"{name} typed protobuf decode", () => TypedDecode<V1PodList>(pb), budget, ct);
                break;
        }

        var jsonEncode = Measure($"{name} KubernetesJson serialize", () => KubernetesJson.Serialize(typed), budget, ct);
        var typedEncode = Measure($"{name} typed protobuf encode", () => TypedEncode(typed), budget, ct);
        Console.WriteLine($"{name}: typed protobuf vs KubernetesJson: decode {jsonDecode / typedDecode:0.0}× faster, encode {jsonEncode / typedEncode:0.0}× faster");
        RunTranscode(name, pb, jsonBytes, budget, ct);
    }

    /// <summary>The byte-level entry points (protobuf ⇄ UTF-8 JSON) and Encode of an object in the server's state
    /// (parsed from stored bytes, one metadata field set) vs a fully materialised one.</summary>
    private static void RunTranscode(string name, byte[] pb, byte[] jsonBytes, double budget, CancellationToken ct)
    {
        var sink = new System.Buffers.ArrayBufferWriter<byte>(jsonBytes.Length * 2);
        Measure($"{name} protobuf decode (again, warm)", () => ProtobufCodec.Decode(pb), budget, ct);
        Measure($"{name} protobuf → JSON bytes", () =>
        {
            sink.ResetWrittenCount();
            ProtobufCodec.DecodeToJson(pb, sink);
            return null;
        }, budget, ct);
        Measure($"{name} JSON bytes → protobuf", () => ProtobufCodec.EncodeJson(jsonBytes), budget, ct);
        Measure($"{name} Encode parsed+touched", () => ProtobufCodec.Encode(Touched(jsonBytes)), budget, ct);
        Measure($"{name}   (parse+touch only)", () => Touched(jsonBytes), budget, ct);
        var full = JsonNode.Parse(jsonBytes)!.AsObject();
        Materialise(full);
        Measure($"{name} Encode materialised", () => ProtobufCodec.Encode(full), budget, ct);
    }

    private static JsonObject Touched(byte[] jsonBytes)
    {
        var o = JsonNode.Parse(jsonBytes)!.AsObject();
        o["metadata"]!["resourceVersion"] = "999999";
        return o;
    }

    private static void Materialise(JsonNode? node)
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

        var sw = Stopwatch.StartNew();
        var calibrate = 0;
        while (sw.Elapsed.TotalSeconds < budgetSeconds / 9 || calibrate < 1)
        {
            op();
            calibrate++;
        }

        var perBatch = Math.Max(1, calibrate);
        var samples = new List<(double Ns, double Bytes)>();
        for (var batch = 0; batch < 9 && !ct.IsCancellationRequested; batch++)
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
        Console.WriteLine($"{name,-36} {Format(median.Ns),12} {FormatBytes(median.Bytes),12}");
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
