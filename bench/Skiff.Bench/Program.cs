if (args.Length > 0 && args[0] == "etcd")
{
    return await Skiff.Bench.Storage.EtcdBench.RunAsync(args[1..]);
}

Console.WriteLine("bench: see bench/README.md");
return 0;
