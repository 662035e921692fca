using Skiff.Bench.Client;

namespace Skiff.Bench.ListWatch;

/// <summary>
/// The Table and PartialObjectMetadata scenarios of <see cref="ListWatchBench"/> (issue 20 §1): with the shared
/// per-version encodings (<c>cache</c>) and without (<c>off</c>: the decoding path, each watcher and list transforming
/// and encoding every object itself), interleaved in one run.
/// </summary>
public static partial class ListWatchBench
{
    private const string TableAccept = "application/json;as=Table;g=meta.k8s.io;v=v1";
    private const string PartialJsonAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string PartialProtobufAccept = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    /// <summary>N Table watchers, N PartialObjectMetadata JSON and N protobuf watchers of one namespace while one writer creates R configmaps/s.</summary>
    private static async Task TableFanoutAsync(string kubeconfig, HttpClient writer, string url, int watchers, int rate, int seconds, CancellationToken ct)
    {
        Console.WriteLine($"table fan-out: {rate * seconds} creates at {rate}/s per case; load average {LoadAverage()}");
        foreach (var (name, accept, protobuf) in new[] { ("table", TableAccept, false), ("meta json", PartialJsonAccept, false), ("meta pb", PartialProtobufAccept, true) })
        {
            var cpus = new Dictionary<bool, double>();
            foreach (var cache in new[] { false, true })
            {
                SetBytePath(cache);
                cpus[cache] = await FanoutCaseAsync(kubeconfig, writer, "HTTP/2", url, watchers, rate, seconds, protobuf, accept,
                    $"{name,-9} {(cache ? "cache" : "off"),-5}", ct).ConfigureAwait(false);
            }

            Console.WriteLine($"fan-out HTTP/2 {name}: server CPU per event off/cache {cpus[false] / cpus[true]:0.00}×");
        }

        SetBytePath(true);
    }

    /// <summary>
    /// LIST of the seeded pods as a Table (and as PartialObjectMetadataList) with <c>resourceVersion=0</c>, cache off and
    /// on. Table rows are shared per second (AGE): with the cache on, each round lists twice back to back — the first
    /// LIST of a new second prints the rows, a repeat within the second copies them.
    /// </summary>
    private static async Task TableListsAsync(HttpClient client, string url, int lists, CancellationToken ct)
    {
        var path = $"{url}/api/v1/namespaces/{PodNamespace}/pods?resourceVersion=0";
        foreach (var (name, accept) in new[] { ("Table", TableAccept), ("meta", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1") })
        {
            var wall = new Dictionary<string, List<double>> { ["off"] = [], ["cache 1st"] = [], ["cache 2nd"] = [] };
            var cpu = new Dictionary<string, List<double>> { ["off"] = [], ["cache 1st"] = [], ["cache 2nd"] = [] };
            long bytes = 0;
            for (var i = -1; i < lists; i++)
            {
                foreach (var cache in i % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    SetBytePath(cache);
                    foreach (var round in cache ? new[] { "cache 1st", "cache 2nd" } : ["off"])
                    {
                        var (ms, used, size) = await TimedGetAsync(client, path, accept, ct).ConfigureAwait(false);
                        bytes = size;
                        if (i >= 0)
                        {
                            wall[round].Add(ms);
                            cpu[round].Add(used);
                        }
                    }
                }
            }

            SetBytePath(true);
            foreach (var round in wall.Keys)
            {
                Console.WriteLine($"LIST {name,-5} rv=0 {round,-9}: p50 {Stats.Median(wall[round]):0.0} ms p99 {Stats.Percentile(wall[round], 0.99):0.0} ms "
                    + $"(CPU {Stats.Median(cpu[round]):0.0} ms); {bytes / 1e6:0.0} MB; load {LoadAverage()}");
            }

            Console.WriteLine($"LIST {name,-5} rv=0 off/cache CPU: first of a second {Stats.Median(cpu["off"]) / Stats.Median(cpu["cache 1st"]):0.00}×, "
                + $"repeat {Stats.Median(cpu["off"]) / Stats.Median(cpu["cache 2nd"]):0.00}×");
        }
    }
}
