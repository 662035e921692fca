// Skiff benchmarks (run by hand, not in CI). See bench/README.md.
//   dotnet run -c Release --project bench/Skiff.Bench -- storage [--backend memory|sqlite|all] [--seconds N] [--dir PATH]
//   dotnet run -c Release --project bench/Skiff.Bench -- etcd [--ops N] [--etcd-servers URL,...]
//   dotnet run -c Release --project bench/Skiff.Bench -- protobuf [--quick]
//   dotnet run -c Release --project bench/Skiff.Bench -- openapi
//   dotnet run -c Release --project bench/Skiff.Bench -- client
//   dotnet run -c Release --project bench/Skiff.Bench -- cacher [--objects 10000 --watchers 100]
//   dotnet run -c Release --project bench/Skiff.Bench -- cacher-memory [--pods 50000] [--store memory|sqlite]
//   dotnet run -c Release --project bench/Skiff.Bench -- client-wire [--pods N] [--runs N]
//   dotnet run -c Release --project bench/Skiff.Bench -- watch-fanout [--watchers N] [--updates N] [--runs N]
//   dotnet run -c Release --project bench/Skiff.Bench -- list-watch [--pods 10000] [--lists 15] [--watchers 1000] [--rate 50] [--seconds 10] [--http 2|1.1|both] [--only list|one|fanout]
//   dotnet run -c Release --project bench/Skiff.Bench -- zeros [--objects N]
//   dotnet run -c Release --project bench/Skiff.Bench -- namespace-delete [--namespaces 100] [--objects 50] [--runs 3]
//   dotnet run -c Release --project bench/Skiff.Bench -- replicaset [--replicas N] [--runs N]
//   dotnet run -c Release --project bench/Skiff.Bench -- job [--completions 1000] [--parallelism 100] [--runs 3]
//   dotnet run -c Release --project bench/Skiff.Bench -- endpointslices [--pods 1000] [--flip 100] [--runs 3]
//   dotnet run -c Release --project bench/Skiff.Bench -- scheduling [--nodes 500] [--init-pods 500] [--pods 1000] [--runs 3] [--writers 16] [--parallelism 16]
//   dotnet run -c Release --project bench/Skiff.Bench -- density [--nodes 100] [--pods-per-node 30] [--saturation-qps 20] [--latency-pods max(500,nodes)] [--latency-qps 5] [--shared-identity] [--burst [--deployments 10]]
//   dotnet run -c Release --project bench/Skiff.Bench -- startup [--runs 5] [--storage memory|sqlite] [--idle-seconds 5]
//   dotnet run -c Release --project bench/Skiff.Bench -- gc-candidates [--candidates "default;DOTNET_gcConcurrent=0;..."] [--runs 3] [--idle-seconds 60] [--storage sqlite]
//   dotnet run -c Release --project bench/Skiff.Bench -- authz-admission [--kinds pods,configmaps] [--clients 16] [--seconds 5] [--runs 3] [--warmup 3] [--no-quota] [--store memory|sqlite] [--authz on|off] [--admission on|off]   (authz / admission: one side only)
//   dotnet run -c Release --project bench/Skiff.Bench -- hollow [--nodes 1000,5000] [--window 30] [--pods-per-node 0]
//   dotnet run -c Release --project bench/Skiff.Bench -- dns [--services 1000] [--seconds 5] [--concurrency 16]
//   dotnet run -c Release --project bench/Skiff.Bench -- crd-schema [--objects 20000] [--runs 5]
//   dotnet run -c Release --project bench/Skiff.Bench -- cel-cost [--evaluations 20000] [--runs 5]
//   dotnet run -c Release --project bench/Skiff.Bench -- proxy-sync [--services 1000] [--endpoints 10] [--runs 5]
//   dotnet run -c Release --project bench/Skiff.Bench -- testplane-start [--runs 20] [--process-runs 3]
//   dotnet run -c Release --project bench/Skiff.Bench -- apf [--creates 2000] [--lists 400] [--concurrency 16] [--runs 5]
//   dotnet run -c Release --project bench/Skiff.Bench -- robustness [--duration 60s] [--store sqlite|etcd] [--kill-every 20s|0] [--writers 8] [--keys 8] [--http2]
//   dotnet run -c Release --project bench/Skiff.Bench -- creates [--store sqlite|etcd|all] [--clients 1,8,64] [--seconds 10] [--kinds configmaps,pods] [--http 2,1.1]
var rest = args.Length > 0 ? args[1..] : [];
switch (args.Length > 0 ? args[0] : "")
{
    case "storage":
        return await Skiff.Bench.Storage.StorageCommand.RunAsync(rest, CancellationToken.None);
    case "etcd":
        return await Skiff.Bench.Storage.EtcdBench.RunAsync(rest);
    case "protobuf":
        await Skiff.Bench.Protobuf.ProtobufBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "client":
        await Skiff.Bench.Client.ClientBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "client-wire":
        await Skiff.Bench.Client.WireFormatBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "watch-fanout":
        await Skiff.Bench.Client.WatchFanoutBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "job":
        await Skiff.Bench.Controllers.JobBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "endpointslices":
        await Skiff.Bench.Controllers.EndpointSliceBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "replicaset":
        await Skiff.Bench.Controllers.ReplicaSetBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "list-watch":
        return await Skiff.Bench.ListWatch.ListWatchBench.RunAsync(rest, CancellationToken.None);
    case "list-watch-readers": // the fan-out watchers of `list-watch`, in their own process
        return await Skiff.Bench.ListWatch.ListWatchBench.RunReadersAsync(rest, CancellationToken.None);
    case "cacher":
        await Skiff.Bench.Cacher.CacherBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "cacher-memory":
        await Skiff.Bench.Cacher.CacheMemoryBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "zeros":
        Skiff.Bench.Api.ZeroFieldsBench.Run(rest);
        return 0;
    case "namespace-delete":
        await Skiff.Bench.Controllers.NamespaceDeletionBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "scheduling":
        await Skiff.Bench.Scheduler.SchedulingBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "density":
        await Skiff.Bench.Scheduler.DensityBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "testplane-start":
        return await Skiff.Bench.Testing.TestPlaneStartBench.RunAsync(rest, CancellationToken.None);
    case "gc-candidates":
        return await Skiff.Bench.Startup.GcCandidatesBench.RunAsync(rest, CancellationToken.None);
    case "startup":
        return await Skiff.Bench.Startup.StartupBench.RunAsync(rest, CancellationToken.None);
    case "hollow":
        await Skiff.Bench.Kubelet.HollowNodeBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "kubelet":
        return await Skiff.Bench.Kubelet.RealKubeletBench.RunAsync(rest, CancellationToken.None);
    case "dns":
        await Skiff.Bench.Dns.DnsBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "apf":
        await Skiff.Bench.FlowControl.FlowControlBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "authz-admission":
        await Skiff.Bench.Api.AuthzAdmissionBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "authz":
        await Skiff.Bench.Api.AuthzAdmissionBench.RunAsync([.. rest, "--admission", "off"], CancellationToken.None);
        return 0;
    case "proxy-sync":
        return await Skiff.Bench.Proxy.ProxySyncBench.RunAsync(rest, CancellationToken.None);
    case "netpol-sync":
        return await Skiff.Bench.Proxy.NetworkPolicySyncBench.RunAsync(rest, CancellationToken.None);
    case "connect-latency":
        return await Skiff.Bench.Proxy.ConnectLatencyBench.RunAsync(rest, CancellationToken.None);
    case "robustness":
        return await Skiff.Bench.Robustness.RobustnessBench.RunAsync(rest, CancellationToken.None);
    case "creates-load": // the clients of `creates`, in their own process
        return await Skiff.Bench.Api.CreateLoadProcess.RunChildAsync(rest, CancellationToken.None);
    case "creates":
        return await Skiff.Bench.Api.CreatesBench.RunAsync(rest, CancellationToken.None);
    case "admission":
        await Skiff.Bench.Api.AuthzAdmissionBench.RunAsync([.. rest, "--authz", "off"], CancellationToken.None);
        return 0;
    case "audit":
        await Skiff.Bench.Api.AuditBench.RunAsync(rest, CancellationToken.None);
        return 0;
    case "openapi":
        Skiff.Bench.OpenApi.OpenApiBench.Run();
        return 0;
    case "crd-schema":
        Skiff.Bench.CustomResources.CrdSchemaBench.Run(rest);
        return 0;
    case "cel-cost":
        Skiff.Bench.CustomResources.CelCostBench.Run(rest);
        return 0;
    default:
        Console.Error.WriteLine("usage: Skiff.Bench storage|etcd|protobuf|openapi|client|cacher|cacher-memory|client-wire|watch-fanout|zeros|namespace-delete|replicaset|job|endpointslices|scheduling|density|testplane-start|startup|hollow|kubelet|dns|authz-admission|authz|crd-schema|cel-cost|proxy-sync|netpol-sync|connect-latency|admission|audit [options]   (see bench/README.md)");
        return 2;
}
