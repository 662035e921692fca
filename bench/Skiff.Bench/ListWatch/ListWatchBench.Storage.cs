using Skiff.ApiServer.Storage.Cacher;
using Skiff.Bench.Client;

namespace Skiff.Bench.ListWatch;

/// <summary>
/// Issue 20's LIST goal as KEP-2340 measured it: a LIST served from the watch cache against the same LIST served from
/// storage (<c>list-storage</c>). Since ConsistentListFromCache (1.31) a list with resourceVersion unset is served from
/// the cache too, so the storage path is upstream's with that gate off: the same server and the same request
/// (resourceVersion unset, a quorum read on etcd), read from the store, against <c>resourceVersion=0</c> from memory.
/// </summary>
public static partial class ListWatchBench
{
    /// <summary>
    /// For each response format and with and without a label selector (one pod in ten), p50/p99 wall time and the
    /// process's CPU of a LIST from the cache (<c>resourceVersion=0</c>) and from storage (unset, the gate off), interleaved.
    /// </summary>
    private static async Task ListsAgainstStorageAsync(HttpClient client, string url, CachingStorage cache, int lists, CancellationToken ct)
    {
        var formats = new (string Name, string Accept)[]
        {
            ("json", "application/json"),
            ("protobuf", "application/vnd.kubernetes.protobuf"),
            ("Table", TableAccept),
            ("meta json", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"),
            ("meta pb", "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"),
        };
        Console.WriteLine($"LIST cache (resourceVersion=0) vs storage (unset, ConsistentListFromCache off), {lists} lists each; load average {LoadAverage()}");
        var ratios = new List<double>();
        try
        {
            foreach (var selector in new[] { "", "app%3Dapp-3" })
            {
                foreach (var (name, accept) in formats)
                {
                    var wall = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
                    var cpu = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
                    var bytes = new Dictionary<bool, long>();
                    for (var i = -1; i < lists; i++)
                    {
                        foreach (var fromCache in i % 2 == 0 ? new[] { true, false } : [false, true])
                        {
                            cache.ConsistentListFromCache = fromCache;
                            var query = (fromCache ? "resourceVersion=0" : "") + (selector.Length > 0 ? (fromCache ? "&" : "") + "labelSelector=" + selector : "");
                            var path = $"{url}/api/v1/namespaces/{PodNamespace}/pods" + (query.Length > 0 ? "?" + query : "");
                            var (ms, used, size) = await TimedGetAsync(client, path, accept, ct).ConfigureAwait(false);
                            bytes[fromCache] = size;
                            if (i >= 0)
                            {
                                wall[fromCache].Add(ms);
                                cpu[fromCache].Add(used);
                            }
                        }
                    }

                    var ratio = Stats.Median(wall[false]) / Stats.Median(wall[true]);
                    ratios.Add(ratio);
                    Console.WriteLine($"LIST {name,-9} {(selector.Length > 0 ? "1/10 sel" : "all"),-8}: cache p50 {Stats.Median(wall[true]):0.0} ms p99 {Stats.Percentile(wall[true], 0.99):0.0} ms "
                        + $"(CPU {Stats.Median(cpu[true]):0.0} ms); storage p50 {Stats.Median(wall[false]):0.0} ms p99 {Stats.Percentile(wall[false], 0.99):0.0} ms "
                        + $"(CPU {Stats.Median(cpu[false]):0.0} ms); storage/cache p50 {ratio:0.0}× CPU {Stats.Median(cpu[false]) / Stats.Median(cpu[true]):0.0}×; "
                        + $"{bytes[true] / 1e6:0.00} MB; load {LoadAverage()}");
                }
            }
        }
        finally
        {
            cache.ConsistentListFromCache = true;
        }

        Console.WriteLine($"LIST storage/cache p50 ratio: median {Stats.Median(ratios):0.0}×, lowest {ratios.Min():0.0}× (goal ≥ 20×)");
    }
}
