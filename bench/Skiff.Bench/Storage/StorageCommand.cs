using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.Storage;

/// <summary>The <c>storage</c> benchmark command: memory and SQLite beside their raw engines.</summary>
public static class StorageCommand
{
    /// <summary>Runs <c>storage [--backend memory|sqlite|all] [--seconds N] [--dir PATH]</c>.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {

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
                    "memory", () => Task.FromResult<IStorage>(new MemoryStorage()), new MemoryRawBaseline(), duration, Console.Error, ct));
            }

            if (backend is "sqlite" or "all")
            {
                rows.AddRange(await StorageBenchmark.RunAsync(
                    "sqlite",
                    async () => await SqliteStorage.OpenAsync(Path.Combine(dir, $"bench-{Guid.NewGuid():N}.db"), null, ct),
                    new SqliteRawBaseline(dir),
                    duration,
                    Console.Error,
                    ct));
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
    }
}
