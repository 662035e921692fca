using System.Diagnostics;
using System.Globalization;
using System.Text;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.Cacher;

/// <summary>
/// The watch cache's memory (issue 20 §5: 150,000 pods in ≤ 1 GB): fills a store with N hollow-node-like pods (~2.5 KB
/// of JSON each, distinct names, uids, IPs and nodes; labels, owner references and managedFields as a ReplicaSet's pods
/// have them), starts a <see cref="CachingStorage"/> over it and reads every pod's selectable fields once (as a kubelet's
/// <c>spec.nodeName</c> watch does). Prints the managed heap and RSS per 10,000 pods for the store's copy and for what
/// the cache adds, and the projection for 150,000 pods.
/// </summary>
/// <remarks>
/// Entry point: <c>dotnet run -c Release --project bench/Skiff.Bench -- cacher-memory [--pods 50000] [--store memory|sqlite]</c> (one store per process, so that
/// one run's garbage does not blur the other's baseline).
/// Over the memory store the cache holds the store's own <see cref="KeyValue"/> instances (one byte[] per version for
/// both); over SQLite the store's copy is on disk and in SQLite's page cache, the cache's bytes are its own.
/// </remarks>
public static class CacheMemoryBench
{
    private const string Prefix = "/registry/pods/";

    private const string PodTemplate = """
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"pod-@NAME@","generateName":"app-@RS@-@HASH@-","namespace":"@NS@","uid":"@UID@","creationTimestamp":"2026-12-07T10:00:00Z","labels":{"app":"app-@RS@","pod-template-hash":"@HASH@","tier":"backend"},"annotations":{"kubernetes.io/config.seen":"2026-12-07T10:00:01Z"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"app-@RS@-@HASH@","uid":"@RSUID@","controller":true,"blockOwnerDeletion":true}],"managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-12-07T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{},"f:tier":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"@UID@\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"main\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{},"f:resources":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:terminationGracePeriodSeconds":{}}}},{"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-12-07T10:00:02Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{},"f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:podIPs":{},"f:startTime":{}}},"subresource":"status"}]},"spec":{"volumes":[{"name":"kube-api-access-@HASH@","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"main","image":"registry.k8s.io/pause:3.10","ports":[{"containerPort":8080,"protocol":"TCP"}],"resources":{"requests":{"cpu":"10m","memory":"16Mi"}},"volumeMounts":[{"name":"kube-api-access-@HASH@","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"@NODE@","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running","conditions":[{"type":"PodReadyToStartContainers","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-07T10:00:02Z"},{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-07T10:00:01Z"},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-07T10:00:02Z"},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-07T10:00:02Z"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-07T10:00:00Z"}],"hostIP":"10.200.@HOSTIP@","hostIPs":[{"ip":"10.200.@HOSTIP@"}],"podIP":"@IP@","podIPs":[{"ip":"@IP@"}],"startTime":"2026-12-07T10:00:01Z","containerStatuses":[{"name":"main","state":{"running":{"startedAt":"2026-12-07T10:00:02Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.k8s.io/pause:3.10","imageID":"sha256:873ed75102791e5b0b8a7fcd41606c92fcec98d56d05ead4ac5131650004c136","containerID":"containerd://@CID@","started":true}],"qosClass":"Burstable"}}
        """;

    public static async Task RunAsync(string[] args, CancellationToken ct)
    {
        var pods = BenchArgs.Int(args, "--pods", 50_000);
        var which = Array.IndexOf(args, "--store") is var si and >= 0 && si + 1 < args.Length ? args[si + 1] : "memory";
        var fields = BuiltInResources.Create(new BuiltInResourceOptions()).Single(d => d.Resource == "pods" && d.Group.Length == 0).Strategy.SelectableFields;
        var sample = PodJson(0);
        Console.WriteLine($"cacher-memory bench: {pods} pods of ~{sample.Length} bytes; .NET {Environment.Version}; load average {Skiff.Bench.Api.AuthzAdmissionBench.LoadAverage()}");
        if (which == "memory")
        {
            await MeasureAsync("memory", pods, fields, _ => Task.FromResult<IStorage>(new MemoryStorage()), ct);
        }

        else
        {
            var dir = Directory.CreateTempSubdirectory("skiff-cache-memory");
            try
            {
                await MeasureAsync("sqlite", pods, fields, async c => await SqliteStorage.OpenAsync(Path.Combine(dir.FullName, "bench.db"), null, c), ct);
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }
    }

    private static async Task MeasureAsync(string name, int pods, IReadOnlyDictionary<string, Func<System.Text.Json.Nodes.JsonObject, string?>> fields,
        Func<CancellationToken, Task<IStorage>> open, CancellationToken ct)
    {
        var (heap0, rss0) = Measure();
        var store = await open(ct);
        await FillAsync(store, pods, ct);
        var (heap1, rss1) = Measure();
        var cache = new CachingStorage(store, new CachingStorageOptions { Prefixes = [Prefix], DisposeInner = false });
        await cache.StartAsync(ct);
        var listed = await cache.ListAsync(Prefix, new ListOptions { NotOlderThan = 0 }, ct);
        if (listed.Items.Count != pods)
        {
            throw new InvalidOperationException($"{listed.Items.Count} pods cached, expected {pods}");
        }

        var (heap2, rss2) = Measure();
        foreach (var kv in listed.Items)
        {
            _ = StoredObject.Of(kv)!.Field(kv, "spec.nodeName", fields);
        }

        listed = null;
        var (heap3, rss3) = Measure();
        double Per10k(long bytes) => bytes / 1e6 * 10_000 / pods;
        Console.WriteLine($"{name,-6} store's copy:           heap {Per10k(heap1 - heap0),6:0.0} MB, RSS {Per10k(rss1 - rss0),6:0.0} MB per 10,000 pods");
        Console.WriteLine($"{name,-6} cache (index + scans):  heap {Per10k(heap2 - heap1),6:0.0} MB, RSS {Per10k(rss2 - rss1),6:0.0} MB per 10,000 pods");
        Console.WriteLine($"{name,-6} + selectable fields:    heap {Per10k(heap3 - heap2),6:0.0} MB, RSS {Per10k(rss3 - rss2),6:0.0} MB per 10,000 pods");
        var process = name == "memory" ? heap3 - heap0 : heap3 - heap1;
        Console.WriteLine($"{name,-6} projection for 150,000 pods: managed heap {process / 1e9 * 150_000 / pods:0.00} GB "
            + $"({(name == "memory" ? "store and cache, one copy of the bytes" : "cache only; SQLite's copy on disk")}); load average {Skiff.Bench.Api.AuthzAdmissionBench.LoadAverage()}");
        GC.KeepAlive(cache);
        await cache.DisposeAsync();
        await store.DisposeAsync();
    }

    private static (long Heap, long Rss) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var p = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(false), p.WorkingSet64);
    }

    private static async Task FillAsync(IStorage store, int pods, CancellationToken ct)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < pods)
                {
                    await store.CreateAsync($"{Prefix}ns-{i % 20}/pod-{i:D6}", Encoding.UTF8.GetBytes(PodJson(i)), ct);
                }
            },
            ct)));
    }

    /// <summary>A Running pod of a ReplicaSet bound to a hollow node, as the API server stores it.</summary>
    internal static string PodJson(int i)
    {
        var inv = CultureInfo.InvariantCulture;
        var rs = i / 50;
        var hash = (rs * 7919 % 100_000).ToString("x5", inv);
        var uid = new Guid(i, (short)0x1234, (short)0x5678, [1, 2, 3, 4, 5, 6, 7, 8]).ToString();
        var compact = uid.Replace("-", "", StringComparison.Ordinal);
        return new StringBuilder(PodTemplate)
            .Replace("@NAME@", "pod-" + i.ToString("D6", inv))
            .Replace("@RSUID@", new Guid(rs, (short)0x4321, unchecked((short)0x8765), [8, 7, 6, 5, 4, 3, 2, 1]).ToString())
            .Replace("@RS@", rs.ToString(inv))
            .Replace("@HASH@", hash)
            .Replace("@NS@", "ns-" + (i % 20).ToString(inv))
            .Replace("@UID@", uid)
            .Replace("@NODE@", "hollow-node-" + (i % 500).ToString(inv))
            .Replace("@HOSTIP@", $"10.200.{(i % 500 / 250).ToString(inv)}.{(i % 250).ToString(inv)}")
            .Replace("@IP@", $"10.{((i >> 16) & 255).ToString(inv)}.{((i >> 8) & 255).ToString(inv)}.{(i & 255).ToString(inv)}")
            .Replace("@CID@", compact + compact)
            .ToString();
    }
}
