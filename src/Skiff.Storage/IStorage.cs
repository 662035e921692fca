namespace Skiff.Storage;

/// <summary>
/// The storage seam: a revisioned key-value store, modelled on upstream's <c>storage.Interface</c>
/// (kubernetes/apiserver <c>pkg/storage/interfaces.go</c>) and on etcd v3's data model.
/// </summary>
/// <remarks>
/// <para><b>Keys</b> are non-empty strings such as <c>/registry/&lt;group&gt;/&lt;resource&gt;/&lt;namespace&gt;/&lt;name&gt;</c>
/// (core resources: <c>/registry/&lt;resource&gt;/…</c>). Any UTF-8 characters are allowed; an empty key throws
/// <see cref="ArgumentException"/>. Prefix operations match keys by ordinal byte prefix, and lists are
/// ordered by ordinal (UTF-8 byte) key order.</para>
/// <para><b>Values</b> are opaque bytes (a serialized object); a value over <see cref="StorageLimits.MaxValueBytes"/>
/// throws <see cref="ValueTooLargeException"/> and nothing is written.</para>
/// <para><b>Revisions.</b> The store has one global revision, a positive 64-bit integer that increases by at least one on
/// every successful write (create, update, delete) and never decreases, across restarts too. Every
/// <see cref="KeyValue"/> carries the revision that created the key and the revision of its last modification;
/// the API server publishes <see cref="KeyValue.ModRevision"/> as <c>metadata.resourceVersion</c>.</para>
/// <para><b>Reads at a revision.</b> <c>revision == 0</c> means "the latest". A positive revision reads the state as of
/// that revision; a revision older than the last compaction throws <see cref="RevisionCompactedException"/>
/// (the API maps it to 410 Gone); a revision newer than the current one throws <see cref="FutureRevisionException"/>.</para>
/// <para><b>Optimistic concurrency.</b> Updates and deletes are compare-and-swap on the key's
/// <see cref="KeyValue.ModRevision"/>; retry loops (GuaranteedUpdate) are built on top of them in
/// <see cref="StorageExtensions"/>, identically for every backend.</para>
/// <para><b>Durability.</b> When a write's task completes successfully the write is durable: it survives a crash of the
/// process (and, for SQLite, of the machine, within what fsync guarantees).</para>
/// <para><b>Thread safety.</b> All members may be called concurrently. Disposing the store ends every open watch.</para>
/// </remarks>
public interface IStorage : IAsyncDisposable
{
    /// <summary>The store's current revision: the revision of the last committed write (0 for a new store).</summary>
    ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct);

    /// <summary>Creates <paramref name="key"/> with <paramref name="value"/>.</summary>
    /// <returns>The stored key-value; its <c>CreateRevision == ModRevision</c> is the write's revision.</returns>
    /// <exception cref="KeyExistsException">The key exists (a deleted key may be created again).</exception>
    Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct);

    /// <summary>Reads one key at <paramref name="revision"/> (0 = latest).</summary>
    /// <returns>The key-value, or <c>null</c> when the key does not exist at that revision.</returns>
    Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct);

    /// <summary>
    /// Lists the keys that start with <paramref name="prefix"/>, in key order, at one consistent revision.
    /// </summary>
    /// <remarks>
    /// With <see cref="ListOptions.Revision"/> 0 the list reads the latest state and reports that state's revision in
    /// <see cref="ListResult.Revision"/> (the store's current revision, not the highest ModRevision among the items).
    /// Paging: pass the last key of a page as <see cref="ListOptions.StartAfter"/> and the first page's
    /// <see cref="ListResult.Revision"/> as <see cref="ListOptions.Revision"/> so that every page reads the same snapshot.
    /// </remarks>
    Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct);

    /// <summary>Counts the keys that start with <paramref name="prefix"/> at the latest revision.</summary>
    Task<long> CountAsync(string prefix, CancellationToken ct);

    /// <summary>
    /// Replaces the value of <paramref name="key"/> if its current <see cref="KeyValue.ModRevision"/> equals
    /// <paramref name="expectedModRevision"/>.
    /// </summary>
    /// <returns>
    /// On success, <see cref="WriteResult.Succeeded"/> and the new key-value; otherwise not succeeded, with the key's
    /// current value (<c>null</c> when the key does not exist). Nothing is written on failure.
    /// </returns>
    Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct);

    /// <summary>
    /// Deletes <paramref name="key"/> if its current <see cref="KeyValue.ModRevision"/> equals
    /// <paramref name="expectedModRevision"/>, or unconditionally when it is 0.
    /// </summary>
    /// <returns>
    /// On success, <see cref="WriteResult.Succeeded"/> with the deleted key-value as it was before the delete and
    /// <see cref="WriteResult.Revision"/> the delete's revision; otherwise not succeeded, with the current value
    /// (<c>null</c> when the key does not exist).
    /// </returns>
    Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct);

    /// <summary>
    /// Watches the keys that start with <paramref name="prefix"/>.
    /// </summary>
    /// <remarks>
    /// <para>With <see cref="WatchOptions.FromRevision"/> R &gt; 0 the stream first replays, in revision order, every event
    /// with revision &gt; R, then continues live: ordered, no gap, no duplicate. With R = 0 it starts after the current
    /// revision. If R is older than the last compaction the enumeration throws
    /// <see cref="RevisionCompactedException"/> (possibly after no event at all); the caller relists.</para>
    /// <para>With <see cref="WatchOptions.ProgressNotify"/> the stream also yields <see cref="StorageEventType.Progress"/>
    /// events: a promise that every event up to that revision under the prefix has been delivered. The watch cache uses
    /// them to know it is fresh.</para>
    /// <para>The stream ends when <paramref name="ct"/> is cancelled (the enumeration then throws
    /// <see cref="OperationCanceledException"/> or ends) or the store is disposed. A consumer that falls too far behind
    /// may be cut off with <see cref="WatchLaggedException"/>; it resumes from the last revision it saw.</para>
    /// </remarks>
    IAsyncEnumerable<StorageEvent> WatchAsync(string prefix, WatchOptions options, CancellationToken ct);

    /// <summary>
    /// Discards history older than <paramref name="revision"/>: afterwards, reads and watches at revisions below it throw
    /// <see cref="RevisionCompactedException"/>. The latest value of every live key is kept.
    /// </summary>
    Task CompactAsync(long revision, CancellationToken ct);

    /// <summary>The lowest revision still readable (the last compaction revision; 0 when never compacted).</summary>
    ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct);

    /// <summary>Checks that the store answers; never throws for an unhealthy store.</summary>
    Task<HealthResult> CheckHealthAsync(CancellationToken ct);
}
