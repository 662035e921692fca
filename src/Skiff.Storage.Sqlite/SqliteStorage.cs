using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Skiff.Storage.Watching;

namespace Skiff.Storage.Sqlite;

/// <summary>
/// A durable <see cref="IStorage"/> in one SQLite file: an append-only log of writes whose row id is the revision
/// (kine's layout), in WAL mode with <c>synchronous=FULL</c>, so an acknowledged write survives a crash.
/// </summary>
/// <remarks>
/// <para>Writes are queued to a single writer loop that commits many of them in one transaction (group commit: one
/// fsync for the batch), evaluating each compare-and-swap in order against the state including earlier writes of the
/// same batch; tasks complete only after the commit. Reads use separate connections and read a consistent WAL
/// snapshot. Watches get committed events in-process from the writer (no polling) and replay history from the log.
/// Compaction moves a marker at once and deletes superseded rows in the background in small steps.</para>
/// <para>Opening a file that is not an intact store (not SQLite, failing <c>PRAGMA quick_check</c>, empty or foreign)
/// throws <see cref="StorageUnavailableException"/> naming the file; it is never treated as an empty store.</para>
/// </remarks>
public sealed partial class SqliteStorage : IStorage
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private readonly string _path;
    private readonly string _readConnectionString;
    private readonly SqliteStorageOptions _options;
    private readonly SqliteConnection _writer;
    private readonly ConcurrentBag<SqliteReader> _readers = [];
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WatchHub _hub;
    private readonly Task _writerLoop;
    private readonly Lock _compactionGate = new();
    private Task _compaction = Task.CompletedTask;
    private long _revision;
    private long _compacted;
    private long _compactDone;
    private volatile bool _disposed;

    private SqliteStorage(string path, SqliteStorageOptions options, SqliteConnection writer, long revision, long compacted, long compactDone)
    {
        _path = path;
        _options = options;
        _writer = writer;
        _revision = revision;
        _compacted = compacted;
        _compactDone = compactDone;
        _readConnectionString = ConnectionString(path, SqliteOpenMode.ReadWrite);
        _hub = new WatchHub(revision, options.WatchBufferSize, options.TimeProvider, options.ProgressInterval);
        _writerLoop = Task.Run(WriterLoopAsync);
        if (compactDone < compacted)
        {
            StartBackgroundCompaction();
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _path;

    /// <summary>
    /// Opens the store in <paramref name="path"/>, creating it when the file does not exist.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The file exists but is not an intact store.</exception>
    public static Task<SqliteStorage> OpenAsync(string path, SqliteStorageOptions? options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SqliteStorageOptions();
        var full = System.IO.Path.GetFullPath(path);
        return Task.Run(() => Open(full, options), ct);
    }

    private static SqliteStorage Open(string path, SqliteStorageOptions options)
    {
        var exists = File.Exists(path);
        if (exists)
        {
            CheckHeader(path);
        }

        SqliteConnection? conn = null;
        try
        {
            conn = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate));
            conn.Open();
            if (exists)
            {
                var check = Scalar(conn, "PRAGMA quick_check") as string;
                if (check != "ok")
                {
                    throw new StorageUnavailableException($"SQLite store {path} is corrupt (quick_check: {check})");
                }

                if (Scalar(conn, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('kv', 'meta')") is not 2L)
                {
                    throw new StorageUnavailableException($"{path} is a SQLite database but not a Skiff store");
                }
            }

            if (Scalar(conn, "PRAGMA journal_mode=WAL") as string != "wal")
            {
                throw new StorageUnavailableException($"cannot switch SQLite store {path} to WAL mode");
            }

            Exec(conn, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
            Exec(conn, Schema.Create);
            var revision = (long)Scalar(conn, Schema.CurrentRevision)!;
            var compacted = (long)Scalar(conn, "SELECT value FROM meta WHERE key = 'compact_rev'")!;
            var done = (long)Scalar(conn, "SELECT value FROM meta WHERE key = 'compact_done'")!;
            return new SqliteStorage(path, options, conn, revision, compacted, done);
        }
        catch (SqliteException e)
        {
            conn?.Dispose();
            throw new StorageUnavailableException($"cannot open SQLite store {path}: {e.Message}", e);
        }
        catch
        {
            conn?.Dispose();
            throw;
        }
    }

    private static void CheckHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        int read;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            read = f.ReadAtLeast(header, 16, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            throw new StorageUnavailableException($"cannot read SQLite store {path}: {e.Message}", e);
        }

        if (read == 0)
        {
            throw new StorageUnavailableException($"SQLite store {path} exists but is empty (truncated?); refusing to open it as a new store");
        }

        if (read < 16 || !header.SequenceEqual(SqliteHeader))
        {
            throw new StorageUnavailableException($"{path} is not a SQLite database (bad header)");
        }
    }

    private static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    private static object? Scalar(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void Exec(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        return ValueTask.FromResult(Volatile.Read(ref _revision));
    }

    /// <inheritdoc />
    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        ThrowIfDisposed();
        return ValueTask.FromResult(Volatile.Read(ref _compacted));
    }

    /// <inheritdoc />
    public async Task<HealthResult> CheckHealthAsync(CancellationToken ct)
    {
        if (_disposed)
        {
            return new HealthResult(false, $"SQLite store {_path} is closed");
        }

        try
        {
            await Task.Yield();
            return Read(r =>
            {
                var (current, _) = r.ReadRevisions(null);
                return new HealthResult(true, $"ok ({_path}, revision {current})");
            });
        }
        catch (Exception e)
        {
            return new HealthResult(false, $"SQLite store {_path}: {e.Message}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        Task compaction;
        lock (_compactionGate)
        {
            compaction = _compaction;
        }

        await compaction.ConfigureAwait(false);
        _hub.Dispose();
        _writer.Dispose();
        while (_readers.TryTake(out var r))
        {
            r.Dispose();
        }
    }

    private T Read<T>(Func<SqliteReader, T> read)
    {
        ThrowIfDisposed();
        if (!_readers.TryTake(out var reader))
        {
            try
            {
                reader = new SqliteReader(_readConnectionString);
            }
            catch (SqliteException e)
            {
                throw new StorageUnavailableException($"cannot read SQLite store {_path}: {e.Message}", e);
            }
        }

        try
        {
            return read(reader);
        }
        catch (SqliteException e)
        {
            reader.Dispose();
            reader = null;
            throw new StorageUnavailableException($"read from SQLite store {_path} failed: {e.Message}", e);
        }
        finally
        {
            if (reader is not null)
            {
                if (_disposed)
                {
                    reader.Dispose();
                }
                else
                {
                    _readers.Add(reader);
                }
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
