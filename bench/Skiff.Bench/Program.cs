if (args.Length > 0 && args[0] == "etcd")
{
    return await Skiff.Bench.Storage.EtcdBench.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "protobuf")
{
    await Skiff.Bench.Protobuf.ProtobufBench.RunAsync(args[1..], CancellationToken.None);
    return 0;
}

if (args.Length > 0 && args[0] == "openapi")
{
    Skiff.Bench.OpenApi.OpenApiBench.Run();
    return 0;
}

Console.WriteLine("bench: see bench/README.md");
return 0;
