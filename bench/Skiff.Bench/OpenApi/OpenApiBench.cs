using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;

namespace Skiff.Bench.OpenApi;

/// <summary>
/// OpenAPI costs: loading the embedded built-in schemas (cold, then warm raw JSON against a gzip baseline — why the
/// file is embedded uncompressed), building every group-version document and the root for a typical resource set,
/// and unknown-field detection against the baseline of parsing the same request body.
/// Run: <c>dotnet run -c Release --project bench/Skiff.Bench -- openapi</c>.
/// </summary>
public static class OpenApiBench
{
    public static void Run()
    {
        var sw = Stopwatch.StartNew();
        var count = BuiltInSchemas.All.Count;
        Console.WriteLine($"openapi: first load of embedded schemas {sw.Elapsed.TotalMilliseconds:F1} ms ({count} schemas, includes JIT)");

        using var stream = typeof(BuiltInSchemas).Assembly.GetManifestResourceStream("Skiff.ApiServer.OpenApi.Generated.definitions.json")!;
        var raw = new byte[stream.Length];
        stream.ReadExactly(raw);
        var compressed = new MemoryStream();
        using (var gz = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(raw);
        }

        var gzBytes = compressed.ToArray();
        // Both as streams: BuiltInSchemas parses the manifest resource stream.
        Action parseRaw = () => JsonNode.Parse(new MemoryStream(raw));
        Action parseGz = () =>
        {
            using var g = new GZipStream(new MemoryStream(gzBytes), CompressionMode.Decompress);
            JsonNode.Parse(g);
        };
        Time(3, parseRaw);
        Time(3, parseGz);
        var rawMs = Time(20, parseRaw);
        var gzMs = Time(20, parseGz);
        Console.WriteLine($"openapi: parse raw {raw.Length} B {rawMs:F1} ms; gzip {gzBytes.Length} B {gzMs:F1} ms (gzip/raw {gzMs / rawMs:F2}x)");

        var descriptors = Resources().ToList();
        sw.Restart();
        var service = new OpenApiService(descriptors);
        service.Root();
        Console.WriteLine($"openapi: all documents + root for {descriptors.Count} resources {sw.Elapsed.TotalMilliseconds:F0} ms (first request; cached after); api/v1 {service.Document("api/v1")!.Json.Length} B");

        const string body = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1"}}}]}}""";
        var pod = JsonNode.Parse(body)!.AsObject();
        const int n = 200_000;
        Time(n / 10, () => service.FindUnknownFields("", "v1", "Pod", pod));
        var parseUs = Time(n, () => JsonNode.Parse(body)!.AsObject().Count.ToString()) * 1000;
        var detectUs = Time(n, () => service.FindUnknownFields("", "v1", "Pod", pod)) * 1000;
        Console.WriteLine($"openapi: FindUnknownFields(small pod) {detectUs:F2} us; parsing that body {parseUs:F2} us (detect/parse {detectUs / parseUs:F2}x)");
    }

    private static double Time(int iterations, Action action)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        return sw.Elapsed.TotalMilliseconds / iterations;
    }

    private static IEnumerable<ResourceDescriptor> Resources()
    {
        (string Group, string Resource, string Kind, bool Namespaced)[] kinds =
        [
            ("", "pods", "Pod", true), ("", "services", "Service", true), ("", "configmaps", "ConfigMap", true),
            ("", "secrets", "Secret", true), ("", "nodes", "Node", false), ("", "namespaces", "Namespace", false),
            ("", "events", "Event", true), ("", "persistentvolumeclaims", "PersistentVolumeClaim", true),
            ("", "persistentvolumes", "PersistentVolume", false), ("", "serviceaccounts", "ServiceAccount", true),
            ("apps", "deployments", "Deployment", true), ("apps", "statefulsets", "StatefulSet", true),
            ("apps", "daemonsets", "DaemonSet", true), ("apps", "replicasets", "ReplicaSet", true),
            ("batch", "jobs", "Job", true), ("batch", "cronjobs", "CronJob", true),
            ("rbac.authorization.k8s.io", "roles", "Role", true), ("coordination.k8s.io", "leases", "Lease", true),
            ("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false),
        ];
        return kinds.Select(k => new ResourceDescriptor
        {
            Group = k.Group, Version = "v1", Resource = k.Resource, SingularName = k.Resource.TrimEnd('s'), Kind = k.Kind,
            Namespaced = k.Namespaced, Strategy = DefaultStrategy.Instance,
        });
    }
}
