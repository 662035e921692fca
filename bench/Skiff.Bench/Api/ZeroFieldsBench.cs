using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Skiff.Bench.Protobuf;

namespace Skiff.Bench.Api;

/// <summary>
/// The write-path cost of adding the fields Go always writes (<see cref="GoJsonZeros.Fill"/>, once per create or update
/// and once more when encoding for storage) against the baseline the store already pays per write: a deep clone of the
/// object plus its serialisation. Median of 5 runs of N objects each; the ratio is fill / baseline.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- zeros [--objects N]</c>.
/// </summary>
public static class ZeroFieldsBench
{
    public static void Run(string[] args)
    {
        var n = args.Length >= 2 && args[0] == "--objects" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        Console.WriteLine($"zeros: {n} objects per run, median of 5 runs (µs per object)");
        Console.WriteLine("| object | fill (fresh) | fill (already filled) | clone+serialize baseline | fresh/baseline |");
        Console.WriteLine("|---|---|---|---|---|");
        // Objects as the store holds them: fully materialised (a parsed JsonNode builds its children on first access,
        // which the server's strategies have done long before the fill runs); the fresh form lacks the zeros.
        foreach (var (name, parsed) in new (string, Func<int, JsonObject>)[] { ("Pod", BenchObjects.Pod), ("Deployment", BenchObjects.Deployment) })
        {
            Func<int, JsonObject> make = i => Materialize(WithoutZeros(parsed(i)));
            var fresh = Median(() => Measure(n, make, o => GoJsonZeros.Fill(o)));
            var filled = Median(() => Measure(n, i => { var o = make(i); GoJsonZeros.Fill(o); return o; }, o => GoJsonZeros.Fill(o)));
            var baseline = Median(() => Measure(n, make, o => JsonSerializer.SerializeToUtf8Bytes((JsonObject)o.DeepClone())));
            Console.WriteLine($"| {name} | {fresh:F2} | {filled:F2} | {baseline:F2} | {fresh / baseline:F2} |");
        }
    }

    /// <summary>The object without the always-written zeros a client may leave out (empty objects, 0, "", false).</summary>
    private static JsonObject WithoutZeros(JsonObject o)
    {
        foreach (var key in o.Select(p => p.Key).ToList())
        {
            switch (o[key])
            {
                case JsonObject child when key != "metadata":
                    WithoutZeros(child);
                    if (child.Count == 0)
                    {
                        o.Remove(key);
                    }

                    break;
                case JsonArray arr:
                    foreach (var item in arr.OfType<JsonObject>())
                    {
                        WithoutZeros(item);
                    }

                    break;
                case JsonValue v when v.GetValueKind() is JsonValueKind.False
                    || (v.GetValueKind() == JsonValueKind.Number && v.ToJsonString() == "0")
                    || (v.GetValueKind() == JsonValueKind.String && v.ToJsonString() == "\"\""):
                    o.Remove(key);
                    break;
            }
        }

        return o;
    }

    private static JsonObject Materialize(JsonObject o)
    {
        foreach (var (_, v) in o)
        {
            switch (v)
            {
                case JsonObject c:
                    Materialize(c);
                    break;
                case JsonArray a:
                    foreach (var item in a.OfType<JsonObject>())
                    {
                        Materialize(item);
                    }

                    break;
            }
        }

        return o;
    }

    private static double Measure(int n, Func<int, JsonObject> make, Action<JsonObject> op)
    {
        var objects = Enumerable.Range(0, n).Select(make).ToArray();
        var sw = Stopwatch.StartNew();
        foreach (var o in objects)
        {
            op(o);
        }

        return sw.Elapsed.TotalMicroseconds / n;
    }

    private static double Median(Func<double> run)
    {
        run(); // warm-up
        var samples = Enumerable.Range(0, 5).Select(_ => run()).Order().ToArray();
        return samples[2];
    }
}
