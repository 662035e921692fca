namespace Skiff.Storage.Sqlite;

/// <summary>The kinds of queued write.</summary>
internal enum WriteKind
{
    Create,
    Swap,
    Delete,
    SetCompaction,
    CompactStep,
}

/// <summary>One write queued for the group-commit loop; its task completes after the batch commits.</summary>
internal sealed class WriteOp
{
    public WriteOp(WriteKind kind, string key, byte[] value, long expected)
    {
        Kind = kind;
        Key = key;
        Value = value;
        Expected = expected;
    }

    public WriteKind Kind { get; }

    public string Key { get; }

    public byte[] Value { get; }

    /// <summary>Expected ModRevision (swap/delete), the compaction revision (SetCompaction) or the step's upper id (CompactStep).</summary>
    public long Expected { get; }

    /// <summary>For CompactStep: the id after which the step starts.</summary>
    public long From { get; init; }

    public TaskCompletionSource<WriteResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The latest row of a key as the writer sees it: its id (for prev_revision) and the live value, if any.</summary>
internal readonly record struct LatestRow(long Id, KeyValue? Live);
