if (args.Length > 0 && args[0] == "protobuf") { await Skiff.Bench.Protobuf.ProtobufBench.RunAsync(args[1..], CancellationToken.None); return; }
Console.WriteLine("bench: see bench/README.md");
