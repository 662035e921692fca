using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Skiff.Api.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// Property run over the bad-input suite's assertions (CsCheck): valid JSON, YAML and protobuf bodies, mutated (bytes
/// flipped, inserted, deleted, duplicated, blown up, truncated; tokens such as lone surrogate escapes, invalid UTF-8,
/// YAML anchors and aliases, deep brackets spliced in), are sent with <c>dryRun=All</c> to create, update, patch and
/// apply endpoints. A mutation may stay valid, so 2xx is allowed; a 5xx, no answer within the deadline, memory past
/// the bound or anything stored fails. A few hundred cases run in CI; set <c>SKIFF_BADINPUT_ITERATIONS</c> for a long
/// run by hand (and <c>SKIFF_BADINPUT_SEED</c> to replay the seed CsCheck prints on failure).
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class BadInputPropertyTests(BadInputServerFixture f, ITestOutputHelper output)
{
    private const string Json = "application/json";
    private const string Yaml = "application/yaml";
    private const string Ns = "/namespaces/default";

    private static readonly byte[][] Tokens =
    [
        "{"u8.ToArray(), "["u8.ToArray(), "\""u8.ToArray(), "\\"u8.ToArray(), "\\ud800"u8.ToArray(), "\\udead\\u0000"u8.ToArray(),
        [0xFF], [0xC3], [0xED, 0xA0, 0x80], "&a "u8.ToArray(), "*a"u8.ToArray(), ": "u8.ToArray(), "\n  - "u8.ToArray(), "null"u8.ToArray(),
        "1e400"u8.ToArray(), "99999999999999999999"u8.ToArray(), "{\"a\":"u8.ToArray(), "[[[[[[[[[[[[[[[["u8.ToArray(), "\t"u8.ToArray(),
        "k8s\0"u8.ToArray(), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "---\n"u8.ToArray(), "!!binary "u8.ToArray(), "? "u8.ToArray(),
    ];

    /// <summary>Valid requests: method, path (dry run), media type, body.</summary>
    private static readonly IReadOnlyList<(HttpMethod Method, string Path, string ContentType, byte[] Body)> Bases = BuildBases();

    /// <summary>The number of cases: a few hundred in CI, <c>SKIFF_BADINPUT_ITERATIONS</c> for a long run.</summary>
    public static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("SKIFF_BADINPUT_ITERATIONS"), out var n) && n > 0 ? n : 300;

    private static readonly Gen<(int Op, double At, int Length, byte Value)> Mutation =
        Gen.Select(Gen.Int[0, 9], Gen.Double[0, 1], Gen.Int[1, 64], Gen.Byte);

    [Fact]
    public async Task MutatedBodies_NeverServerErrorQuicklyMemoryBoundedNothingStored()
    {
        var before = await f.SnapshotAsync();
        foreach (var warm in Bases)
        {
            await SendAsync(warm.Method, warm.Path, warm.Body, warm.ContentType);
        }

        var meter = MemoryMeter.Start(BadInputTests.MemoryBound);
        var count = 0;
        var codes = new SortedDictionary<int, int>();
        var worst = TimeSpan.Zero;
        var gen = Gen.Select(Gen.Int[0, Bases.Count - 1], Mutation.Array[1, 4]);

        await gen.SampleAsync(
            async (index, mutations) =>
            {
                var (method, path, contentType, body) = Bases[index];
                var mutated = Mutate(body, mutations);
                var (status, text, elapsed) = await SendAsync(method, path, mutated, contentType);
                meter.Sample();
                count++;
                codes[status] = codes.GetValueOrDefault(status) + 1;
                worst = elapsed > worst ? elapsed : worst;
                Assert.True(status is >= 200 and < 500, $"{method} {path} ({contentType}) {status} {text[..Math.Min(300, text.Length)]}");
                Assert.True(elapsed < BadInputTests.Deadline, $"{method} {path}: {elapsed}");
            },
            writeLine: output.WriteLine,
            seed: Environment.GetEnvironmentVariable("SKIFF_BADINPUT_SEED"),
            iter: Iterations,
            threads: 1,
            print: t => $"{Bases[t.Item1].Method} {Bases[t.Item1].Path} {Bases[t.Item1].ContentType} {Convert.ToBase64String(Mutate(Bases[t.Item1].Body, t.Item2))}");

        var retained = meter.RetainedHeapGrowth();
        output.WriteLine($"{count} cases; codes {string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}"))}; slowest {worst.TotalMilliseconds:F0} ms; " +
            $"peak heap growth {MemoryMeter.Mb(meter.PeakHeapGrowth)}, peak working set growth {MemoryMeter.Mb(meter.PeakWorkingSetGrowth)} " +
            $"({meter.Collections} forced collections; {MemoryMeter.Mb(meter.LazyPeakWorkingSetGrowth)} before collecting), retained heap {MemoryMeter.Mb(retained)}");

        Assert.Equal(before, await f.SnapshotAsync());
        Assert.True(meter.PeakHeapGrowth < BadInputTests.PeakMemoryBound, $"heap grew by {MemoryMeter.Mb(meter.PeakHeapGrowth)}");
        Assert.True(meter.PeakWorkingSetGrowth < BadInputTests.PeakMemoryBound, $"working set grew by {MemoryMeter.Mb(meter.PeakWorkingSetGrowth)}");
        Assert.True(retained < BadInputTests.MemoryBound, $"the heap still holds {MemoryMeter.Mb(retained)} more than before the run");
    }

    /// <summary>Applies the mutations in order; positions are fractions of the current length.</summary>
    internal static byte[] Mutate(byte[] body, (int Op, double At, int Length, byte Value)[] mutations)
    {
        var b = new List<byte>(body);
        foreach (var (op, fraction, length, value) in mutations)
        {
            var at = Math.Min(b.Count, (int)(fraction * b.Count));
            var len = Math.Min(length, b.Count - at);
            switch (op)
            {
                case 0 when at < b.Count:
                    b[at] = value;
                    break;
                case 1:
                    b.Insert(at, value);
                    break;
                case 2:
                    b.RemoveRange(at, len);
                    break;
                case 3:
                    b.InsertRange(at, b.GetRange(at, len));
                    break;
                case 4:
                    b.RemoveRange(at, b.Count - at);
                    break;
                case 5 or 6:
                    b.InsertRange(at, Tokens[value % Tokens.Length]);
                    break;
                case 7:
                    // Blow a slice up, to at most about 1 MiB.
                    var slice = b.GetRange(at, len);
                    var times = Math.Min(value * 64, (1 << 20) / Math.Max(1, len));
                    for (var i = 0; i < times; i++)
                    {
                        b.InsertRange(at, slice);
                    }

                    break;
                case 8:
                    b.InsertRange(at, Enumerable.Repeat((byte)(value % 2 == 0 ? '[' : '{'), length * 100));
                    break;
                default:
                    if (at < b.Count)
                    {
                        b[at] ^= (byte)(1 << (value % 8));
                    }

                    break;
            }
        }

        return [.. b];
    }

    private static List<(HttpMethod, string, string, byte[])> BuildBases()
    {
        const string cm = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"app":"x"},"annotations":{"a":"b"}},"data":{"k":"v","n":"1"}}""";
        const string deployment = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"x"}},
                     "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1"}}}]}}}}
            """;
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  labels: &l {app: x}\n  annotations: {a: b}\ndata:\n  k: v\n  n: \"1\"\n";
        var cms = "/api/v1" + Ns + "/configmaps";
        var deployments = "/apis/apps/v1" + Ns + "/deployments";
        byte[] Text(string s, string name) => Encoding.UTF8.GetBytes(s.Replace("NAME", name, StringComparison.Ordinal));
        byte[] Proto(string s, string name) => ProtobufCodec.Encode(JsonNode.Parse(s.Replace("NAME", name, StringComparison.Ordinal))!.AsObject());
        return
        [
            (HttpMethod.Post, cms + "?dryRun=All", Json, Text(cm, "prop")),
            (HttpMethod.Put, cms + "/existing?dryRun=All", Json, Text(cm, "existing")),
            (HttpMethod.Patch, cms + "/existing?dryRun=All", "application/merge-patch+json", """{"metadata":{"labels":{"x":"y"}},"data":{"a":"b"}}"""u8.ToArray()),
            (HttpMethod.Patch, cms + "/existing?dryRun=All", "application/strategic-merge-patch+json", """{"metadata":{"labels":{"x":"y"}},"data":{"a":null}}"""u8.ToArray()),
            (HttpMethod.Patch, cms + "/existing?dryRun=All", "application/json-patch+json", """[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"test","path":"/data/k","value":"v"}]"""u8.ToArray()),
            (HttpMethod.Patch, cms + "/existing?dryRun=All&fieldManager=prop", "application/apply-patch+yaml", Text(yaml, "existing")),
            (HttpMethod.Post, cms + "?dryRun=All", Yaml, Text(yaml, "prop")),
            (HttpMethod.Post, cms + "?dryRun=All", ProtobufCodec.ContentType, Proto(cm, "prop")),
            (HttpMethod.Post, deployments + "?dryRun=All", Json, Text(deployment, "prop")),
            (HttpMethod.Post, deployments + "?dryRun=All", ProtobufCodec.ContentType, Proto(deployment, "prop")),
            (HttpMethod.Patch, deployments + "/existing/scale?dryRun=All", "application/merge-patch+json", """{"spec":{"replicas":3}}"""u8.ToArray()),
            (HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Json,
                """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}"""u8.ToArray()),
        ];
    }

    private async Task<(int Status, string Text, TimeSpan Elapsed)> SendAsync(HttpMethod method, string path, byte[] body, string contentType)
    {
        using var cts = new CancellationTokenSource(BadInputTests.Deadline);
        var sw = Stopwatch.StartNew();
        try
        {
            var (status, text) = await f.SendAsync(method, path, body, contentType, cts.Token);
            return (status, text, sw.Elapsed);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (0, "no answer", sw.Elapsed);
        }
    }
}
