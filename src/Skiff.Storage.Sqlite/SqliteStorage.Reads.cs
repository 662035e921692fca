using System.Text;
using Microsoft.Data.Sqlite;

namespace Skiff.Storage.Sqlite;

public sealed partial class SqliteStorage
{
    /// <inheritdoc />
    public Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            StorageExtensions.ValidateKey(key);
            ArgumentOutOfRangeException.ThrowIfNegative(revision);
            var name = KeyBytes.Encode(key);
            return Task.FromResult(Read(r =>
            {
                if (revision == 0)
                {
                    var latest = r.Latest;
                    latest.Transaction = null;
                    latest.Parameters[0].Value = name;
                    return ReadKv(latest, key);
                }

                using var tx = r.Connection.BeginTransaction(deferred: true);
                var (current, compacted) = r.ReadRevisions(tx);
                CheckRevision(revision, current, compacted);
                var at = r.AtRevision;
                at.Transaction = tx;
                at.Parameters[0].Value = name;
                at.Parameters[1].Value = revision;
                var kv = ReadKv(at, key);
                tx.Commit();
                return kv;
            }));
        }
        catch (Exception e)
        {
            return Task.FromException<KeyValue?>(e);
        }
    }

    /// <inheritdoc />
    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(prefix);
            ArgumentNullException.ThrowIfNull(options);
            ArgumentOutOfRangeException.ThrowIfNegative(options.Revision);
            ct.ThrowIfCancellationRequested();
            var lo = KeyBytes.Encode(prefix);
            var hi = KeyBytes.PrefixEnd(lo);
            var after = options.StartAfter is null ? null : KeyBytes.Encode(options.StartAfter);
            return Task.FromResult(Read(r =>
            {
                using var tx = r.Connection.BeginTransaction(deferred: true);
                var (current, compacted) = r.ReadRevisions(tx);
                var rev = options.Revision == 0 ? current : options.Revision;
                CheckRevision(rev, current, compacted);
                var items = new List<KeyValue>();
                using (var cmd = LatestRowsCommand(r.Connection, tx, "k.id, k.name, k.create_revision, k.value", lo, hi, after, rev))
                {
                    if (options.Limit > 0)
                    {
                        cmd.CommandText += " LIMIT $limit";
                        cmd.Parameters.AddWithValue("$limit", options.Limit + 1);
                    }

                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                    {
                        var nameBytes = (byte[])reader.GetValue(1);
                        items.Add(new KeyValue(KeyBytes.Decode(nameBytes), (byte[])reader.GetValue(3), reader.GetInt64(2), reader.GetInt64(0)));
                    }
                }

                long remaining = 0;
                if (options.Limit > 0 && items.Count > options.Limit)
                {
                    items.RemoveAt(items.Count - 1);
                    using var count = LatestRowsCommand(r.Connection, tx, "count(*)", lo, hi, KeyBytes.Encode(items[^1].Key), rev);
                    remaining = (long)count.ExecuteScalar()!;
                }

                tx.Commit();
                return new ListResult(items, rev, remaining > 0, remaining);
            }));
        }
        catch (Exception e)
        {
            return Task.FromException<ListResult>(e);
        }
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string prefix, CancellationToken ct)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(prefix);
            ct.ThrowIfCancellationRequested();
            var lo = KeyBytes.Encode(prefix);
            var hi = KeyBytes.PrefixEnd(lo);
            return Task.FromResult(Read(r =>
            {
                using var cmd = LatestRowsCommand(r.Connection, null, "count(*)", lo, hi, null, long.MaxValue);
                return (long)cmd.ExecuteScalar()!;
            }));
        }
        catch (Exception e)
        {
            return Task.FromException<long>(e);
        }
    }

    // The live row of every key in [lo, hi) (after `after`, when set) as of revision `rev`, in key order.
    private static SqliteCommand LatestRowsCommand(SqliteConnection conn, SqliteTransaction? tx, string columns, byte[] lo, byte[]? hi, byte[]? after, long rev)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        var where = new StringBuilder("k.id <= $rev");
        cmd.Parameters.AddWithValue("$rev", rev);
        if (after is not null && after.AsSpan().SequenceCompareTo(lo) >= 0)
        {
            where.Append(" AND k.name > $lo");
            cmd.Parameters.AddWithValue("$lo", after);
        }
        else if (lo.Length > 0)
        {
            where.Append(" AND k.name >= $lo");
            cmd.Parameters.AddWithValue("$lo", lo);
        }

        if (hi is not null)
        {
            where.Append(" AND k.name < $hi");
            cmd.Parameters.AddWithValue("$hi", hi);
        }

        // Walks the (name, id) index in key order (no sort), keeping each key's newest row at or below rev.
        cmd.CommandText = $"""
            SELECT {columns} FROM kv k INDEXED BY kv_name_id
            WHERE {where} AND k.deleted = 0
              AND k.id = (SELECT max(x.id) FROM kv x WHERE x.name = k.name AND x.id <= $rev)
            ORDER BY k.name
            """;
        return cmd;
    }

    private static KeyValue? ReadKv(SqliteCommand cmd, string key)
    {
        using var r = cmd.ExecuteReader();
        if (!r.Read() || r.GetInt64(2) != 0)
        {
            return null;
        }

        return new KeyValue(key, (byte[])r.GetValue(3), r.GetInt64(1), r.GetInt64(0));
    }

    private static void CheckRevision(long revision, long current, long compacted)
    {
        if (revision > current)
        {
            throw new FutureRevisionException(revision, current);
        }

        if (revision < compacted)
        {
            throw new RevisionCompactedException(revision, compacted);
        }
    }
}
