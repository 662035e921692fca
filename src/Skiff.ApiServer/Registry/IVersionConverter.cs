using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// Converts one resource between its storage version and the version a <see cref="ResourceDescriptor"/> serves
/// (upstream's scheme conversion through the internal type, done here directly between the two JSON shapes). The
/// generic store calls <see cref="ToServedAsync"/> on every object it reads (get, list, watch events, the old object of
/// an update, the result of a write) and <see cref="ToStorageAsync"/> on every object it writes, so strategies,
/// patches, apply, admission and printers only ever see the served shape. Both directions get and return whole objects
/// (<c>apiVersion</c> included) and must not change <paramref name="obj"/>'s caller-visible state; a
/// <c>StatusException</c> thrown here reaches the client as is. Asynchronous so a converter may call out (a
/// conversion webhook).
/// </summary>
public interface IVersionConverter
{
    /// <summary>The stored object (storage version, <c>metadata.resourceVersion</c> already set) in the served version.</summary>
    ValueTask<JsonObject> ToServedAsync(JsonObject stored, CancellationToken ct);

    /// <summary>The served object (after defaulting, validation and managedFields) in the storage version.</summary>
    ValueTask<JsonObject> ToStorageAsync(JsonObject served, CancellationToken ct);
}
