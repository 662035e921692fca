using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Skiff.Storage.Sqlite;

public sealed partial class SqliteStorage
{
    private const int ReplayPageSize = 512;

    /// <inheritdoc />
    public IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.FromRevision);
        return WatchCore(prefix, options, ct);
    }

    private async IAsyncEnumerable<StorageEvent> WatchCore(string prefix, WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var from = options.FromRevision;
        var sub = _hub.Subscribe(prefix, options.ProgressNotify, from);
        var replay = from > 0 && from < sub.StartRevision ? ReplayAsync(prefix, from, sub.StartRevision, ct) : null;
        await foreach (var e in sub.ReadAsync(replay, ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    // The logged events under the prefix with from < revision <= to, read page by page, each page in a snapshot that
    // also proves the page was not compacted away.
    private async IAsyncEnumerable<StorageEvent> ReplayAsync(string prefix, long from, long to, [EnumeratorCancellation] CancellationToken ct)
    {
        var lo = KeyBytes.Encode(prefix);
        var hi = KeyBytes.PrefixEnd(lo);
        var position = from;
        while (position < to)
        {
            ct.ThrowIfCancellationRequested();
            var page = Read(r => ReadPage(r, lo, hi, position, to, from));
            foreach (var e in page)
            {
                yield return e;
            }

            position = page.Count == ReplayPageSize ? page[^1].Revision : to;
            await Task.Yield();
        }
    }

    private static List<StorageEvent> ReadPage(SqliteReader r, byte[] lo, byte[]? hi, long after, long to, long requested)
    {
        using var tx = r.Connection.BeginTransaction(deferred: true);
        var (_, compacted) = r.ReadRevisions(tx);
        if (after < compacted)
        {
            throw new RevisionCompactedException(requested, compacted);
        }

        using var cmd = r.Connection.CreateCommand();
        cmd.Transaction = tx;
        var where = new StringBuilder("k.id > $after AND k.id <= $to");
        cmd.Parameters.AddWithValue("$after", after);
        cmd.Parameters.AddWithValue("$to", to);
        if (lo.Length > 0)
        {
            where.Append(" AND k.name >= $lo");
            cmd.Parameters.AddWithValue("$lo", lo);
        }

        if (hi is not null)
        {
            where.Append(" AND k.name < $hi");
            cmd.Parameters.AddWithValue("$hi", hi);
        }

        cmd.CommandText = $"""
            SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, p.value, p.create_revision
            FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision AND p.deleted = 0
            WHERE {where} ORDER BY k.id LIMIT {ReplayPageSize}
            """;
        var events = new List<StorageEvent>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                events.Add(ToEvent(reader));
            }
        }

        tx.Commit();
        return events;
    }

    private static StorageEvent ToEvent(SqliteDataReader r)
    {
        var id = r.GetInt64(0);
        var key = KeyBytes.Decode((byte[])r.GetValue(1));
        var createRevision = r.GetInt64(4);
        var prevRevision = r.GetInt64(5);
        var value = (byte[])r.GetValue(6);
        if (r.GetInt64(3) != 0)
        {
            var prev = new KeyValue(key, value, createRevision, prevRevision);
            return new StorageEvent(StorageEventType.Deleted, prev with { ModRevision = id }, prev, id);
        }

        var kv = new KeyValue(key, value, createRevision, id);
        if (r.GetInt64(2) != 0)
        {
            return new StorageEvent(StorageEventType.Added, kv, null, id);
        }

        var prevKv = r.IsDBNull(7) ? null : new KeyValue(key, (byte[])r.GetValue(7), r.GetInt64(8), prevRevision);
        return new StorageEvent(StorageEventType.Modified, kv, prevKv, id);
    }
}
