// Skiff benchmarks (run by hand, not in CI). See bench/README.md.
//   dotnet run -c Release --project bench/Skiff.Bench -- storage [--backend memory|sqlite|all] [--seconds N] [--dir PATH]
//   dotnet run -c Release --project bench/Skiff.Bench -- etcd [--ops N] [--etcd-servers URL,...]
//   dotnet run -c Release --project bench/Skiff.Bench -- protobuf [--quick]
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
    default:
        Console.Error.WriteLine("usage: Skiff.Bench storage|etcd|protobuf [options]   (see bench/README.md)");
        return 2;
}
