using Microsoft.Data.Sqlite;

namespace Skiff.Bench.Storage;

/// <summary>Plain Microsoft.Data.Sqlite in WAL mode with synchronous=FULL: the engine beneath SqliteStorage.</summary>
public sealed class SqliteRawBaseline(string directory) : IRawBaseline
{
    private const int BatchSize = 256;

    public string Name => "raw sqlite";

    // The file is warmed up first with one large transaction, so the WAL has passed its first checkpoint and later
    // commits overwrite already allocated WAL space (the steady state of a long-running store). On a fresh WAL every
    // commit extends the file, and on ext4 that fsync also commits the journal: 5–10× slower, which would flatter
    // the ratios.
    public Task<double> MeasureSingleWritesPerSecondAsync(TimeSpan duration, CancellationToken ct) =>
        Task.Run(() => InsertAsync(duration, 1), ct);

    public Task<double> MeasureBatchedWritesPerSecondAsync(TimeSpan duration, CancellationToken ct) =>
        Task.Run(() => InsertAsync(duration, BatchSize), ct);

    public async Task<double> MeasureReadsPerSecondAsync(TimeSpan duration, int readers, CancellationToken ct)
    {
        var path = NewFile();
        const int keys = 10_000;
        using (var conn = Open(path))
        {
            using var tx = conn.BeginTransaction();
            using var cmd = InsertCommand(conn, tx);
            for (var i = 0; i < keys; i++)
            {
                Bind(cmd, i);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        var counts = await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(() =>
        {
            using var conn = Open(path);
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT value FROM t WHERE name = $n ORDER BY id DESC LIMIT 1";
            var p = cmd.Parameters.Add(new SqliteParameter { ParameterName = "$n" });
            cmd.Prepare();
            var rng = new Random(r);
            long n = 0;
            var end = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < end)
            {
                p.Value = StorageBenchmark.KeyBytes(rng.Next(keys));
                using var reader = cmd.ExecuteReader();
                reader.Read();
                _ = (byte[])reader.GetValue(0); // fetch the value, as the store does
                n++;
            }

            return n;
        }, ct)));
        return counts.Sum() / duration.TotalSeconds;
    }

    private async Task<double> InsertAsync(TimeSpan duration, int batch)
    {
        using var conn = Open(NewFile());
        using (var warm = conn.BeginTransaction())
        {
            using var cmd = InsertCommand(conn, warm);
            for (var i = 0; i < 8_000; i++)
            {
                cmd.Parameters[0].Value = StorageBenchmark.KeyBytes(-1 - i);
                cmd.Parameters[1].Value = StorageBenchmark.Value;
                cmd.ExecuteNonQuery();
            }

            warm.Commit();
        }

        long n = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            using var tx = conn.BeginTransaction();
            using var cmd = InsertCommand(conn, tx);
            for (var i = 0; i < batch; i++)
            {
                Bind(cmd, (int)n++);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
            await Task.Yield();
        }

        return n / sw.Elapsed.TotalSeconds;
    }

    private string NewFile() => Path.Combine(directory, $"raw-{Guid.NewGuid():N}.db");

    private static SqliteConnection Open(string path)
    {
        var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY AUTOINCREMENT, name BLOB NOT NULL, value BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS t_name ON t (name, id);
            """;
        cmd.ExecuteNonQuery();
        return conn;
    }

    private static SqliteCommand InsertCommand(SqliteConnection conn, SqliteTransaction tx)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO t (name, value) VALUES ($n, $v)";
        cmd.Parameters.Add(new SqliteParameter { ParameterName = "$n" });
        cmd.Parameters.Add(new SqliteParameter { ParameterName = "$v" });
        return cmd;
    }

    private static void Bind(SqliteCommand cmd, int i)
    {
        cmd.Parameters[0].Value = StorageBenchmark.KeyBytes(i);
        cmd.Parameters[1].Value = StorageBenchmark.Value;
    }
}
