namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Gives the strategic-merge schema of a kind. Local stand-in for the interface the apimachinery helper defines in
/// <c>Skiff.Api.Patch</c>.
/// </summary>
public interface ISchemaProvider
{
    /// <summary>The schema of the kind's top-level object, or null when the kind is unknown (a CR without schema).</summary>
    IStrategicMergeSchema? ForKind(string group, string version, string kind);
}
