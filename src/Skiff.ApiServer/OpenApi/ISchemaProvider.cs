using Skiff.Api.Patch;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Gives the patch schema (<see cref="IPatchSchema"/>: merge keys, patch strategies, list and map types) of a kind,
/// for strategic merge patch and server-side apply. Implemented over the served OpenAPI schemas by
/// <see cref="OpenApiService"/> and <see cref="SchemaSet"/>.
/// </summary>
public interface ISchemaProvider
{
    /// <summary>The schema of the kind's top-level object, or null when the kind is unknown (then patches treat every list as atomic).</summary>
    IPatchSchema? ForKind(string group, string version, string kind);
}
