using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The validation schema of one served version of a CRD (<c>spec.versions[].schema.openAPIV3Schema</c>), for the
/// OpenAPI documents, <c>kubectl explain</c> and unknown-field detection of its custom resources.
/// </summary>
/// <param name="Group">The CRD's group.</param>
/// <param name="Version">The version name.</param>
/// <param name="Kind">The kind (its list kind is <c>Kind + "List"</c>).</param>
/// <param name="Schema">The structural schema of the whole object; null means "accept any fields".</param>
public sealed record CustomResourceSchema(string Group, string Version, string Kind, JsonObject? Schema)
{
    /// <summary>Upstream's component name: the reversed group, the version and the kind (<c>com.example.stable.v1.CronTab</c>).</summary>
    public string SchemaName => string.Join('.', Group.Split('.').Reverse()) + "." + Version + "." + Kind;
}
