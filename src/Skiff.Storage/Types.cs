namespace Skiff.Storage;

/// <summary>One stored key at one revision.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The serialized value.</param>
/// <param name="CreateRevision">The revision of the write that created the key (its current incarnation).</param>
/// <param name="ModRevision">The revision of the key's last write; the object's resourceVersion.</param>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision);

/// <summary>Options of <see cref="IStorage.ListAsync"/>.</summary>
/// <param name="Revision">The revision to read at; 0 = latest.</param>
/// <param name="Limit">The most items to return; 0 = no limit.</param>
/// <param name="StartAfter">When set, only keys strictly greater than this one are returned (paging).</param>
public sealed record ListOptions(long Revision = 0, long Limit = 0, string? StartAfter = null)
{
    /// <summary>
    /// With <see cref="Revision"/> 0: when set, the caller accepts the state at any revision at or above this one instead
    /// of the latest (upstream's <c>resourceVersionMatch=NotOlderThan</c>; 0 = any revision, upstream's
    /// <c>resourceVersion="0"</c>). A watch cache may then answer from memory without first checking that it is current;
    /// <see cref="ListResult.Revision"/> reports the revision actually read. Backends without a cache ignore it and read
    /// the latest state. Null (the default) asks for the latest state. Ignored when <see cref="Revision"/> is positive.
    /// </summary>
    public long? NotOlderThan { get; init; }

    /// <summary>Read everything at the latest revision.</summary>
    public static ListOptions Latest { get; } = new();
}

/// <summary>The result of <see cref="IStorage.ListAsync"/>.</summary>
/// <param name="Items">The items, in key order.</param>
/// <param name="Revision">The revision the list was read at.</param>
/// <param name="HasMore">True when <see cref="ListOptions.Limit"/> cut the list short.</param>
/// <param name="RemainingCount">How many keys under the prefix come after the last returned item (0 when !HasMore).</param>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, bool HasMore, long RemainingCount);

/// <summary>The outcome of a compare-and-swap or compare-and-delete.</summary>
/// <param name="Succeeded">Whether the write happened.</param>
/// <param name="Current">
/// On a successful update, the new value; on a successful delete, the value that was deleted; on failure, the key's
/// current value, or <c>null</c> when it does not exist.
/// </param>
/// <param name="Revision">On success the write's revision; on failure the store's revision when it was checked.</param>
public sealed record WriteResult(bool Succeeded, KeyValue? Current, long Revision);

/// <summary>Options of <see cref="IStorage.WatchAsync"/>.</summary>
/// <param name="FromRevision">Deliver events with a revision greater than this; 0 = from now.</param>
/// <param name="ProgressNotify">Also deliver <see cref="StorageEventType.Progress"/> events.</param>
public sealed record WatchOptions(long FromRevision = 0, bool ProgressNotify = false);

/// <summary>The kinds of <see cref="StorageEvent"/>.</summary>
public enum StorageEventType
{
    /// <summary>A key was created.</summary>
    Added,
    /// <summary>A key's value was replaced.</summary>
    Modified,
    /// <summary>A key was deleted.</summary>
    Deleted,
    /// <summary>No key event; every event up to <see cref="StorageEvent.Revision"/> has been delivered.</summary>
    Progress,
}

/// <summary>One change seen by a watch.</summary>
/// <param name="Type">What happened.</param>
/// <param name="Kv">
/// For Added and Modified, the new key-value. For Deleted, the key's last value before the delete, with
/// <see cref="KeyValue.ModRevision"/> set to the delete's revision. Null for Progress.
/// </param>
/// <param name="PrevKv">For Modified and Deleted, the value before the change (may be null if unavailable).</param>
/// <param name="Revision">The revision of the write (for Progress, the revision the watch has caught up to).</param>
public sealed record StorageEvent(StorageEventType Type, KeyValue? Kv, KeyValue? PrevKv, long Revision);

/// <summary>The outcome of <see cref="IStorage.CheckHealthAsync"/>.</summary>
public sealed record HealthResult(bool Healthy, string Message);

/// <summary>Limits shared by every backend.</summary>
public static class StorageLimits
{
    /// <summary>The largest value accepted: 1.5 MiB, etcd's default request limit.</summary>
    public const int MaxValueBytes = 1536 * 1024;
}
