using Skiff.Bench.Storage;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

// Skiff benchmarks. Usage:
//   dotnet run -c Release --project bench/Skiff.Bench -- storage [--backend memory|sqlite|all] [--seconds N] [--dir PATH]
// See bench/README.md.
if (args.Length == 0 || args[0] != "storage")
{
    Console.Error.WriteLine("usage: Skiff.Bench storage [--backend memory|sqlite|all] [--seconds N] [--dir PATH]   (see bench/README.md)");
    return 2;
}

var backend = Option("--backend") ?? "all";
var seconds = double.Parse(Option("--seconds") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var dir = Option("--dir") is { } parent
    ? Directory.CreateDirectory(Path.Combine(parent, $"skiff-bench-{Guid.NewGuid():N}")).FullName
    : Directory.CreateTempSubdirectory("skiff-bench-").FullName;
var duration = TimeSpan.FromSeconds(seconds);
var rows = new List<BenchRow>();
try
{
    if (backend is "memory" or "all")
    {
        rows.AddRange(await StorageBenchmark.RunAsync(
            "memory", () => Task.FromResult<IStorage>(new MemoryStorage()), new MemoryRawBaseline(), duration, Console.Error, CancellationToken.None));
    }

    if (backend is "sqlite" or "all")
    {
        rows.AddRange(await StorageBenchmark.RunAsync(
            "sqlite",
            async () => await SqliteStorage.OpenAsync(Path.Combine(dir, $"bench-{Guid.NewGuid():N}.db"), null, CancellationToken.None),
            new SqliteRawBaseline(dir),
            duration,
            Console.Error,
            CancellationToken.None));
    }

    if (rows.Count == 0)
    {
        Console.Error.WriteLine($"unknown backend '{backend}' (memory, sqlite, all)");
        return 2;
    }
}
finally
{
    Directory.Delete(dir, recursive: true);
}

Console.WriteLine($"storage benchmark, {seconds}s per measurement, {Environment.ProcessorCount} cores, files in {Path.GetDirectoryName(dir)}");
BenchTable.Write(Console.Out, rows);
return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
