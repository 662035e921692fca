using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Store;

/// <summary>
/// What <see cref="GenericStore.CreateStoredAsync"/> created: exactly one of <paramref name="Object"/> (a dry run, or a
/// resource whose stored form needs conversion to be served) and <paramref name="Stored"/> (the stored key-value, whose
/// bytes are the served JSON without <c>metadata.resourceVersion</c>, which is its ModRevision).
/// </summary>
internal readonly record struct CreatedObject(JsonObject? Object, KeyValue? Stored);
