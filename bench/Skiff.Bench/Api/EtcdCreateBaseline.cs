using System.Diagnostics;
using Google.Protobuf;
using Skiff.Bench.Storage;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Bench.Api;

/// <summary>
/// The raw etcd baselines of <c>creates --store etcd</c>, through the same <see cref="EtcdConnection"/> (channels and
/// options) as the API server's store: plain puts (issue 20's yardstick), and the least etcd work an API create needs —
/// the guarded create transaction <c>EtcdStorage.CreateAsync</c> sends while one watch with previous values (the watch
/// cache's) reads every event back. Each line prints etcd's calls, watch messages and CPU per operation (from its
/// <c>/metrics</c>), this process's CPU per operation (the gRPC client) and the load average.
/// </summary>
internal static class EtcdCreateBaseline
{
    public static async Task MeasureAsync(Dictionary<string, double> rates, EtcdConnection etcd, string url, int[] clients, TimeSpan duration, CancellationToken ct)
    {
        var value = ByteString.CopyFrom(CreateLoad.ConfigMap("raw-", 0).Concat(new byte[300]).ToArray());
        foreach (var (name, txn, watched) in new[] { ("etcd put", false, false), ("etcd create", true, false), ("etcd create+watch", true, true) })
        {
            foreach (var c in clients)
            {
                var run = Guid.NewGuid().ToString("N")[..6];
                var prefix = $"/bench-{name.Replace(' ', '-')}/{run}/";
                var (start, end) = EtcdKeys.PrefixRange(prefix, null);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var watch = watched ? await WatchAsync(etcd, start, end, stop.Token) : null;
                var n = await RunAsync(rates, $"{name} x{c}", url, c, duration, i =>
                {
                    var k = ByteString.CopyFromUtf8($"{prefix}{i:D9}");
                    return txn
                        ? etcd.Preferred.Kv.TxnAsync(Create(k, value), cancellationToken: ct).ResponseAsync
                        : (Task)etcd.Preferred.Kv.PutAsync(new PutRequest { Key = k, Value = value }, cancellationToken: ct).ResponseAsync;
                }, ct);
                if (watch is not null)
                {
                    var seen = await watch.UntilAsync(n, TimeSpan.FromSeconds(30), ct);
                    if (seen < n)
                    {
                        Console.WriteLine($"  watch saw {seen} of {n} events in 30 s");
                    }

                    await stop.CancelAsync();
                    await watch.Reader;
                }
            }
        }
    }

    /// <summary>The transaction <c>EtcdStorage.CreateAsync</c> sends: put the key if it was never created.</summary>
    private static TxnRequest Create(ByteString key, ByteString value) => new()
    {
        Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
        Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } } },
    };

    private static async Task<Counter> WatchAsync(EtcdConnection etcd, ByteString start, ByteString end, CancellationToken ct)
    {
        var call = etcd.Preferred.Watch.Watch(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = start, RangeEnd = end, PrevKv = true } }, ct);
        var counter = new Counter();
        counter.Reader = Task.Run(async () =>
        {
            using (call)
            {
                try
                {
                    while (await call.ResponseStream.MoveNext(ct))
                    {
                        counter.Add(call.ResponseStream.Current.Events.Count);
                    }
                }
                catch (Exception ex) when (ct.IsCancellationRequested && ex is OperationCanceledException or Grpc.Core.RpcException)
                {
                }
            }
        }, CancellationToken.None);
        return counter;
    }

    /// <summary>The events a watch has read; <see cref="UntilAsync"/> waits for a count with a deadline.</summary>
    private sealed class Counter
    {
        private readonly object _gate = new();
        private long _events;

        public Task Reader { get; set; } = Task.CompletedTask;

        public void Add(int events)
        {
            lock (_gate)
            {
                _events += events;
                Monitor.PulseAll(_gate);
            }
        }

        public Task<long> UntilAsync(long count, TimeSpan timeout, CancellationToken ct) => Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + timeout;
            lock (_gate)
            {
                while (_events < count && DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(100));
                }

                return _events;
            }
        }, ct);
    }

    private static async Task<long> RunAsync(Dictionary<string, double> rates, string name, string url, int clients, TimeSpan duration, Func<long, Task> op, CancellationToken ct)
    {
        var before = await EtcdMetrics.ScrapeAsync(url, ct);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var (n, elapsed) = await EtcdLoad.RunAsync(clients, duration, op, ct);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, n);
        rates[name] = n / elapsed.TotalSeconds;
        var after = await EtcdMetrics.ScrapeAsync(url, ct);
        Console.WriteLine($"raw {name}: {rates[name]:F0}/s, per op: {after.PerOperation(before, n)}, client cpu {cpu:F3} ms  {AuthzAdmissionBench.LoadAverage()}");
        return n;
    }
}
