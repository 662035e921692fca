namespace Skiff.Storage;

/// <summary>
/// Retry loops over the compare-and-swap primitives of <see cref="IStorage"/>, the same for every backend
/// (upstream's <c>GuaranteedUpdate</c> and precondition-checked <c>Delete</c>).
/// </summary>
public static class StorageExtensions
{
    /// <summary>
    /// Reads <paramref name="key"/>, asks <paramref name="tryUpdate"/> for its new value and writes it with a
    /// compare-and-swap on the value it read, retrying with the newer value each time another writer got in first.
    /// </summary>
    /// <param name="storage">The store.</param>
    /// <param name="key">The key.</param>
    /// <param name="tryUpdate">
    /// Called with the current value (<c>null</c> when the key does not exist and <paramref name="allowCreate"/> is set)
    /// on every attempt; it may be called several times and must be free of side effects. It returns the new value,
    /// or <c>null</c> to leave the key as it is (the current value is then returned and nothing is written). It may
    /// throw to abort (for example with <see cref="PreconditionFailedException"/>); nothing is written then.
    /// </param>
    /// <param name="allowCreate">When the key does not exist: create it (true) or throw <see cref="KeyNotFoundStorageException"/>.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The value stored after the update. A new value byte-identical to the current one writes nothing.</returns>
    public static async Task<KeyValue> GuaranteedUpdateAsync(
        this IStorage storage,
        string key,
        Func<KeyValue?, CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> tryUpdate,
        bool allowCreate,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(tryUpdate);
        var current = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (current is null && !allowCreate)
            {
                throw new KeyNotFoundStorageException(key);
            }

            var next = await tryUpdate(current, ct).ConfigureAwait(false);
            if (next is null)
            {
                return current ?? throw new KeyNotFoundStorageException(key);
            }

            if (current is null)
            {
                try
                {
                    return await storage.CreateAsync(key, next.Value, ct).ConfigureAwait(false);
                }
                catch (KeyExistsException)
                {
                    current = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
                    continue;
                }
            }

            if (current.Value.Span.SequenceEqual(next.Value.Span))
            {
                return current;
            }

            var result = await storage.CompareAndSwapAsync(key, current.ModRevision, next.Value, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return result.Current!;
            }

            current = result.Current;
        }
    }

    /// <summary>
    /// Deletes <paramref name="key"/> after <paramref name="validate"/> has accepted its current value, retrying when
    /// another writer changed the key in between (the validation then runs again on the newer value).
    /// </summary>
    /// <param name="storage">The store.</param>
    /// <param name="key">The key.</param>
    /// <param name="validate">
    /// Checks preconditions (uid, resourceVersion, …) on the current value; throws
    /// (<see cref="PreconditionFailedException"/>) to refuse. May be called several times. Null accepts any value.
    /// </param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The successful delete: the deleted value and the delete's revision.</returns>
    /// <exception cref="KeyNotFoundStorageException">The key does not exist.</exception>
    public static async Task<WriteResult> GuaranteedDeleteAsync(
        this IStorage storage,
        string key,
        Func<KeyValue, CancellationToken, ValueTask>? validate,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var current = await storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (current is null)
            {
                throw new KeyNotFoundStorageException(key);
            }

            if (validate is not null)
            {
                await validate(current, ct).ConfigureAwait(false);
            }

            var result = await storage.CompareAndDeleteAsync(key, current.ModRevision, ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return result;
            }

            current = result.Current;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an empty key and <see cref="ValueTooLargeException"/> for an oversized value.</summary>
    public static void ValidateWrite(string key, ReadOnlyMemory<byte> value)
    {
        ValidateKey(key);
        if (value.Length > StorageLimits.MaxValueBytes)
        {
            throw new ValueTooLargeException(key, value.Length);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a null or empty key.</summary>
    public static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("storage key must not be empty", nameof(key));
        }
    }
}
