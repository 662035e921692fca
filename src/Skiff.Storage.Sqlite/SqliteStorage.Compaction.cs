using Microsoft.Data.Sqlite;

namespace Skiff.Storage.Sqlite;

public sealed partial class SqliteStorage
{
    // Moves the compaction marker: from this commit on, reads and watches below it fail. Rows go later, in steps.
    private static WriteResult SetCompaction(SqliteTransaction tx, long revision, ref long compacted)
    {
        if (revision > compacted)
        {
            using var cmd = tx.Connection!.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE meta SET value = $rev WHERE key = 'compact_rev'";
            cmd.Parameters.AddWithValue("$rev", revision);
            cmd.ExecuteNonQuery();
            compacted = revision;
        }

        return new WriteResult(true, null, compacted);
    }

    // Physically compacts the log rows with id in (from, to]: each such row supersedes its predecessor (deleted), and a
    // delete row itself is dropped together with that predecessor, so no reader at or after the marker sees a change.
    private static WriteResult CompactStep(SqliteTransaction tx, long from, long to, ref long compactDone)
    {
        using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > $from AND id <= $to AND prev_revision > 0);
            DELETE FROM kv WHERE id > $from AND id <= $to AND deleted = 1;
            UPDATE meta SET value = $to WHERE key = 'compact_done';
            """;
        cmd.Parameters.AddWithValue("$from", from);
        cmd.Parameters.AddWithValue("$to", to);
        cmd.ExecuteNonQuery();
        compactDone = Math.Max(compactDone, to);
        return new WriteResult(true, null, to);
    }

    private void StartBackgroundCompaction()
    {
        lock (_compactionGate)
        {
            if (_compaction.IsCompleted && !_disposed)
            {
                _compaction = Task.Run(CompactInStepsAsync);
            }
        }
    }

    // One short write transaction per step, queued behind (and between) ordinary writes so they never wait long.
    private async Task CompactInStepsAsync()
    {
        while (!_disposed)
        {
            var done = Volatile.Read(ref _compactDone);
            var target = Volatile.Read(ref _compacted);
            if (done >= target)
            {
                return;
            }

            var to = Math.Min(target, done + _options.CompactionBatchSize);
            try
            {
                await EnqueueAsync(new WriteOp(WriteKind.CompactStep, "", [], to) { From = done }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or StorageException)
            {
                return; // closed, or the disk failed: the marker stays and compaction resumes on the next open
            }
        }
    }
}
