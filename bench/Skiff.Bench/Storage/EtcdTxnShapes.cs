using System.Diagnostics;
using Google.Protobuf;
using Skiff.Bench.Api;
using Skiff.Storage.Etcd;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Bench.Storage;

/// <summary>
/// What an exclusive create costs etcd, by request shape: every semantically equivalent way to "put this key only if it
/// does not exist" (compare create revision, mod revision or version = 0; with or without an <c>Else(Get)</c> branch;
/// with or without previous values; short and long keys) beside plain puts and an unguarded one-op <c>Txn</c>, each
/// closed-loop at the given client counts on a throw-away etcd, with etcd's own CPU and Go allocation per operation
/// from its <c>/metrics</c>.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Skiff.Bench -- etcd --shapes [--clients 8,64] [--seconds 3]
/// [--batch-limits 0,500]</c>. One etcd per <c>--backend-batch-limit</c> (0 = etcd's default, 10,000). On each etcd the
/// guarded create runs first (before any put burst has grown etcd's buffer of uncommitted writes), then a put burst,
/// then every shape. etcd 3.4 copies that buffer — all of its slots, a high-water mark — into every write
/// <c>Txn</c>'s read view; the allocation column shows it.
/// </remarks>
internal static class EtcdTxnShapes
{
    private static readonly Compare.Types.CompareResult Equal = Compare.Types.CompareResult.Equal;

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var clients = Option(args, "--clients", "8,64").Split(',').Select(int.Parse).ToArray();
        var duration = TimeSpan.FromSeconds(double.Parse(Option(args, "--seconds", "3"), System.Globalization.CultureInfo.InvariantCulture));
        var limits = Option(args, "--batch-limits", "0,500").Split(',').Select(int.Parse).ToArray();
        var value = ByteString.CopyFrom(CreateLoad.ConfigMap("raw-", 0).Concat(new byte[300]).ToArray());
        Console.WriteLine($"etcd request shapes of one exclusive create, {value.Length} B values, {duration.TotalSeconds:F0} s closed loop each, {Environment.ProcessorCount} cores, etcd {EtcdVersion()}");
        foreach (var limit in limits)
        {
            var (etcd, dir, url) = await EtcdBench.StartEtcdAsync(limit > 0 ? [$"--backend-batch-limit={limit}"] : []);
            try
            {
                using var connection = new EtcdConnection(EtcdOptions.Parse(url));
                Console.WriteLine();
                Console.WriteLine($"--backend-batch-limit {(limit > 0 ? limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : "default (10000)")}");
                Console.WriteLine($"{"shape",-42}{"clients",8}{"ops/s",9}{"x put",7}{"etcd cpu ms",13}{"etcd alloc KiB",16}  load");
                foreach (var c in clients)
                {
                    var put = 0.0;
                    foreach (var (name, shape) in Shapes(value))
                    {
                        var rate = await MeasureAsync(connection, url, name, c, duration, shape, put, ct);
                        put = name == "put" && put == 0 ? rate : put;
                    }
                }
            }
            finally
            {
                etcd.Kill();
                await etcd.WaitForExitAsync(ct);
                Directory.Delete(dir, recursive: true);
            }
        }

        return 0;
    }

    /// <summary>The shapes in the order they run: the guarded create first, on a buffer no put burst has grown.</summary>
    private static IEnumerable<(string Name, Func<KV.KVClient, ByteString, Task> Send)> Shapes(ByteString value)
    {
        yield return ("create: create_rev=0 (before any put burst)", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Create), Put(k, value)));
        yield return ("put", (kv, k) => kv.PutAsync(Put(k, value)).ResponseAsync);
        yield return ("put prev_kv", (kv, k) => kv.PutAsync(Put(k, value, prevKv: true)).ResponseAsync);
        yield return ("txn: put, no compare", (kv, k) => Txn(kv, null, Put(k, value)));
        yield return ("create: create_rev=0 (ours)", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Create), Put(k, value)));
        yield return ("create: mod_rev=0 (upstream 1.32)", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Mod), Put(k, value)));
        yield return ("create: version=0", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Version), Put(k, value)));
        yield return ("create: mod_rev=0, else get", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Mod), Put(k, value), orElseGet: true));
        yield return ("create: create_rev=0, put prev_kv", (kv, k) => Txn(kv, Guard(k, Compare.Types.CompareTarget.Create), Put(k, value, prevKv: true)));
        yield return ("create: create_rev=0, 250 B key", (kv, k) => Txn(kv, Guard(Long(k), Compare.Types.CompareTarget.Create), Put(Long(k), value)));
        yield return ("put, 250 B key", (kv, k) => kv.PutAsync(Put(Long(k), value)).ResponseAsync);
        yield return ("put (again, last)", (kv, k) => kv.PutAsync(Put(k, value)).ResponseAsync);
    }

    private static ByteString Long(ByteString key) => ByteString.CopyFromUtf8(key.ToStringUtf8().PadRight(250, 'x'));

    private static PutRequest Put(ByteString key, ByteString value, bool prevKv = false) => new() { Key = key, Value = value, PrevKv = prevKv };

    private static Compare Guard(ByteString key, Compare.Types.CompareTarget target) => target switch
    {
        Compare.Types.CompareTarget.Create => new Compare { Key = key, Target = target, Result = Equal, CreateRevision = 0 },
        Compare.Types.CompareTarget.Mod => new Compare { Key = key, Target = target, Result = Equal, ModRevision = 0 },
        _ => new Compare { Key = key, Target = target, Result = Equal, Version = 0 },
    };

    private static Task Txn(KV.KVClient kv, Compare? guard, PutRequest put, bool orElseGet = false)
    {
        var txn = new TxnRequest { Success = { new RequestOp { RequestPut = put } } };
        if (guard is not null)
        {
            txn.Compare.Add(guard);
        }

        if (orElseGet)
        {
            txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = put.Key } });
        }

        return kv.TxnAsync(txn).ResponseAsync;
    }

    private static async Task<double> MeasureAsync(
        EtcdConnection connection, string url, string name, int clients, TimeSpan duration, Func<KV.KVClient, ByteString, Task> send, double put, CancellationToken ct)
    {
        var prefix = $"/shapes/{Guid.NewGuid():N}/";
        var before = await EtcdMetrics.ScrapeAsync(url, ct);
        var (n, elapsed) = await EtcdLoad.RunAsync(clients, duration, i => send(connection.Preferred.Kv, ByteString.CopyFromUtf8($"{prefix}{i:D9}")), ct);
        var after = await EtcdMetrics.ScrapeAsync(url, ct);
        var rate = n / elapsed.TotalSeconds;
        var ratio = put > 0 ? $"{rate / put,7:F2}" : $"{"",7}";
        Console.WriteLine($"{name,-42}{clients,8}{rate,9:F0}{ratio}{after.CpuMs(before, n),13:F3}{after.AllocatedKiB(before, n),16:F1}  {AuthzAdmissionBench.LoadAverage()}");
        return rate;
    }

    private static string EtcdVersion()
    {
        using var p = Process.Start(new ProcessStartInfo("etcd", "--version") { RedirectStandardOutput = true })!;
        var first = p.StandardOutput.ReadLine() ?? "";
        p.WaitForExit();
        return first.Replace("etcd Version: ", "", StringComparison.Ordinal);
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
