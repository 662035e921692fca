if (args.Length > 0 && args[0] == "protobuf") { await Skiff.Bench.Protobuf.ProtobufBench.RunAsync(args[1..], CancellationToken.None); return; }
if (args.Length > 0 && args[0] == "client") { await Skiff.Bench.Client.ClientBench.RunAsync(args[1..], CancellationToken.None); return; }
Console.WriteLine("bench: see bench/README.md");
