using Microsoft.Data.Sqlite;

namespace Skiff.Storage.Sqlite;

public sealed partial class SqliteStorage
{
    /// <inheritdoc />
    public async Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        StorageExtensions.ValidateWrite(key, value);
        var result = await EnqueueAsync(new WriteOp(WriteKind.Create, key, value.ToArray(), 0), ct).ConfigureAwait(false);
        return result.Succeeded ? result.Current! : throw new KeyExistsException(key);
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        try
        {
            StorageExtensions.ValidateWrite(key, value);
        }
        catch (Exception e)
        {
            return Task.FromException<WriteResult>(e);
        }

        return EnqueueAsync(new WriteOp(WriteKind.Swap, key, value.ToArray(), expectedModRevision), ct);
    }

    /// <inheritdoc />
    public Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct)
    {
        try
        {
            StorageExtensions.ValidateKey(key);
        }
        catch (Exception e)
        {
            return Task.FromException<WriteResult>(e);
        }

        return EnqueueAsync(new WriteOp(WriteKind.Delete, key, [], expectedModRevision), ct);
    }

    /// <inheritdoc />
    public async Task CompactAsync(long revision, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        var current = Volatile.Read(ref _revision);
        if (revision > current)
        {
            throw new FutureRevisionException(revision, current);
        }

        if (revision <= Volatile.Read(ref _compacted))
        {
            return;
        }

        await EnqueueAsync(new WriteOp(WriteKind.SetCompaction, "", [], revision), ct).ConfigureAwait(false);
        StartBackgroundCompaction();
    }

    private Task<WriteResult> EnqueueAsync(WriteOp op, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<WriteResult>(ct);
        }

        if (_disposed || !_queue.Writer.TryWrite(op))
        {
            return Task.FromException<WriteResult>(new ObjectDisposedException(nameof(SqliteStorage)));
        }

        // Once queued, the write happens or fails as a whole; cancellation only stops the caller from waiting.
        return ct.CanBeCanceled ? op.Done.Task.WaitAsync(ct) : op.Done.Task;
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteOp>(_options.MaxBatchSize);
        var results = new List<WriteResult>(_options.MaxBatchSize);
        var events = new List<StorageEvent>();
        var overlay = new Dictionary<string, LatestRow>(StringComparer.Ordinal);
        using var insert = _writer.CreateCommand();
        insert.CommandText = Schema.Insert;
        foreach (var p in new[] { "$id", "$name", "$created", "$deleted", "$create", "$prev", "$value" })
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        using var latest = _writer.CreateCommand();
        latest.CommandText = Schema.Latest;
        latest.Parameters.Add(new SqliteParameter { ParameterName = "$name" });

        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            results.Clear();
            events.Clear();
            overlay.Clear();
            while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }

            // One write that fails inside the batch (SQLite refused its row) fails alone: the transaction is rolled back
            // and the batch is applied again without it. A failed commit fails every write of the batch.
            long rev, compacted, compactDone;
            while (true)
            {
                results.Clear();
                events.Clear();
                overlay.Clear();
                rev = _revision;
                compacted = _compacted;
                compactDone = _compactDone;
                var failed = -1;
                Exception? failure = null;
                try
                {
                    using var tx = _writer.BeginTransaction();
                    insert.Transaction = tx;
                    latest.Transaction = tx;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var op = batch[i];
                        try
                        {
                            results.Add(op.Kind switch
                            {
                                WriteKind.SetCompaction => SetCompaction(tx, op.Expected, ref compacted),
                                WriteKind.CompactStep => CompactStep(tx, op.From, op.Expected, ref compactDone),
                                _ => ApplyKeyWrite(op, ref rev, insert, latest, overlay, events, _options.WriteFault),
                            });
                        }
                        catch (Exception e) when (batch.Count > 1)
                        {
                            (failed, failure) = (i, e);
                            break; // disposing the transaction rolls it back
                        }
                    }

                    if (failed < 0)
                    {
                        tx.Commit();
                    }
                }
                catch (Exception e)
                {
                    FailAll(batch, e);
                    batch.Clear();
                    break;
                }

                if (failed < 0)
                {
                    break;
                }

                batch[failed].Done.TrySetException(new StorageUnavailableException($"write to SQLite store {_path} failed: {failure!.Message}", failure));
                batch.RemoveAt(failed);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            Volatile.Write(ref _compacted, compacted);
            Volatile.Write(ref _compactDone, compactDone);
            Volatile.Write(ref _revision, rev);
            _hub.Publish(events, rev); // before acknowledging: a watch from "now" never sees an acknowledged write as new
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
    }

    private void FailAll(List<WriteOp> batch, Exception e)
    {
        var error = new StorageUnavailableException($"write to SQLite store {_path} failed: {e.Message}", e);
        foreach (var op in batch)
        {
            op.Done.TrySetException(error);
        }
    }

    private static WriteResult ApplyKeyWrite(
        WriteOp op, ref long rev, SqliteCommand insert, SqliteCommand latest, Dictionary<string, LatestRow> overlay, List<StorageEvent> events,
        Func<string, Exception?>? fault)
    {
        if (fault?.Invoke(op.Key) is { } injected)
        {
            throw injected;
        }

        var name = KeyBytes.Encode(op.Key);
        if (!overlay.TryGetValue(op.Key, out var row))
        {
            row = ReadLatest(latest, name, op.Key);
        }

        var cur = row.Live;
        switch (op.Kind)
        {
            case WriteKind.Create when cur is null:
            {
                var id = ++rev;
                var kv = new KeyValue(op.Key, op.Value, id, id);
                Insert(insert, id, name, created: true, deleted: false, id, row.Id, op.Value);
                overlay[op.Key] = new LatestRow(id, kv);
                events.Add(new StorageEvent(StorageEventType.Added, kv, null, id));
                return new WriteResult(true, kv, id);
            }

            case WriteKind.Swap when cur is not null && cur.ModRevision == op.Expected:
            {
                var id = ++rev;
                var kv = new KeyValue(op.Key, op.Value, cur.CreateRevision, id);
                Insert(insert, id, name, created: false, deleted: false, cur.CreateRevision, row.Id, op.Value);
                overlay[op.Key] = new LatestRow(id, kv);
                events.Add(new StorageEvent(StorageEventType.Modified, kv, cur, id));
                return new WriteResult(true, kv, id);
            }

            case WriteKind.Delete when cur is not null && (op.Expected == 0 || cur.ModRevision == op.Expected):
            {
                var id = ++rev;
                Insert(insert, id, name, created: false, deleted: true, cur.CreateRevision, row.Id, cur.Value.ToArray());
                overlay[op.Key] = new LatestRow(id, null);
                events.Add(new StorageEvent(StorageEventType.Deleted, cur with { ModRevision = id }, cur, id));
                return new WriteResult(true, cur, id);
            }

            default:
                overlay[op.Key] = row;
                return new WriteResult(false, cur, rev);
        }
    }

    private static LatestRow ReadLatest(SqliteCommand latest, byte[] name, string key)
    {
        latest.Parameters[0].Value = name;
        using var r = latest.ExecuteReader();
        if (!r.Read())
        {
            return new LatestRow(0, null);
        }

        var id = r.GetInt64(0);
        return r.GetInt64(2) != 0 ? new LatestRow(id, null) : new LatestRow(id, new KeyValue(key, (byte[])r.GetValue(3), r.GetInt64(1), id));
    }

    private static void Insert(SqliteCommand insert, long id, byte[] name, bool created, bool deleted, long createRevision, long prev, byte[] value)
    {
        var p = insert.Parameters;
        p[0].Value = id;
        p[1].Value = name;
        p[2].Value = created ? 1 : 0;
        p[3].Value = deleted ? 1 : 0;
        p[4].Value = createRevision;
        p[5].Value = prev;
        p[6].Value = value;
        insert.ExecuteNonQuery();
    }
}
