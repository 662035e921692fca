using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

internal sealed partial class GenericStore
{
    /// <summary>
    /// A storage-level read-modify-write that bypasses the strategy (no PrepareForUpdate, validation, generation or
    /// managedFields), like upstream's registry-internal <c>GuaranteedUpdate</c> calls (pod binding). The mutation may
    /// run several times when writers race and must throw to abort. Returns the stored result.
    /// </summary>
    public async Task<JsonObject> UpdateDirectAsync(string ns, string name, Action<JsonObject> mutate, CancellationToken ct) =>
        await ReadAsync(await WriteDirectAsync(ns, name, mutate, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>
    /// <see cref="UpdateDirectAsync"/> for a caller that does not need the result (pod binding answers a Success
    /// Status): one decode of the current object and one encode, no decode of what was written.
    /// </summary>
    public Task<KeyValue> WriteDirectAsync(string ns, string name, Action<JsonObject> mutate, CancellationToken ct) =>
        WriteDirectAsync(ns, name, null, mutate, ct);

    /// <summary>
    /// <see cref="WriteDirectAsync(string, string, Action{JsonObject}, CancellationToken)"/> that first offers the stored
    /// value (bytes and revision) to <paramref name="splice"/> (when the store serves its stored bytes unconverted): its result, when not null,
    /// is written as it is and must be what <paramref name="mutate"/> and the store's encoding would give (pod binding
    /// on raw bytes); null falls back to <paramref name="mutate"/>.
    /// </summary>
    public async Task<KeyValue> WriteDirectAsync(string ns, string name, Func<KeyValue, byte[]?>? splice, Action<JsonObject> mutate, CancellationToken ct)
    {
        var spliceStored = splice is not null && ServesStoredBytes;
        try
        {
            return await _storage.GuaranteedUpdateAsync(
                Key(ns, name),
                async (current, token) =>
                {
                    if (current is null)
                    {
                        throw NotFound(name);
                    }

                    if (spliceStored && splice!(current) is { } spliced)
                    {
                        return (ReadOnlyMemory<byte>?)spliced;
                    }

                    var obj = await ReadAsync(current, token).ConfigureAwait(false);
                    mutate(obj);
                    return (ReadOnlyMemory<byte>?)await WriteOwnedAsync(obj, token).ConfigureAwait(false);
                },
                allowCreate: false,
                ct).ConfigureAwait(false);
        }
        catch (KeyNotFoundStorageException)
        {
            throw NotFound(name);
        }
    }
}
