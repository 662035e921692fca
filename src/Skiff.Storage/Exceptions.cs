namespace Skiff.Storage;

/// <summary>The base of every storage error.</summary>
public class StorageException : Exception
{
    public StorageException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Create found the key already present.</summary>
public sealed class KeyExistsException(string key) : StorageException($"key already exists: {key}")
{
    public string Key { get; } = key;
}

/// <summary>A value larger than <see cref="StorageLimits.MaxValueBytes"/>.</summary>
public sealed class ValueTooLargeException(string key, int size)
    : StorageException($"value for key {key} is {size} bytes, over the limit of {StorageLimits.MaxValueBytes} bytes")
{
    public int Size { get; } = size;
}

/// <summary>The requested revision has been compacted away (API: 410 Gone).</summary>
public sealed class RevisionCompactedException(long requested, long compacted)
    : StorageException($"required revision {requested} has been compacted (compacted revision {compacted})")
{
    public long Requested { get; } = requested;
    public long CompactedRevision { get; } = compacted;
}

/// <summary>The requested revision is newer than the store's current revision.</summary>
public sealed class FutureRevisionException(long requested, long current)
    : StorageException($"required revision {requested} is a future revision (current revision {current})")
{
    public long Requested { get; } = requested;
    public long CurrentRevision { get; } = current;
}

/// <summary>A watcher fell too far behind and was cut off; resume from the last revision seen.</summary>
public sealed class WatchLaggedException(long lastDelivered)
    : StorageException($"watcher fell behind and was closed after revision {lastDelivered}")
{
    public long LastDeliveredRevision { get; } = lastDelivered;
}

/// <summary>The key does not exist (raised by <see cref="StorageExtensions"/> helpers).</summary>
public sealed class KeyNotFoundStorageException(string key) : StorageException($"key not found: {key}")
{
    public string Key { get; } = key;
}

/// <summary>A precondition of an update or delete did not hold.</summary>
public sealed class PreconditionFailedException(string key, string reason)
    : StorageException($"precondition failed for {key}: {reason}")
{
    public string Key { get; } = key;
    public string Reason { get; } = reason;
}

/// <summary>The backend cannot be reached or its data cannot be read (corrupt file, unreachable etcd).</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : StorageException(message, inner);
