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

    /// <summary>
    /// The schemas of a CustomResourceDefinition's served versions (<c>spec.versions[?served].schema.openAPIV3Schema</c>;
    /// a version without schema gets null, i.e. "accept any fields").
    /// </summary>
    public static IReadOnlyList<CustomResourceSchema> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>();
        var kind = spec?["names"]?["kind"]?.GetValue<string>();
        if (group is null || kind is null || spec?["versions"] is not JsonArray versions)
        {
            return [];
        }

        var result = new List<CustomResourceSchema>();
        foreach (var version in versions.OfType<JsonObject>())
        {
            if (version["name"]?.GetValue<string>() is not { } name || version["served"]?.GetValue<bool>() != true)
            {
                continue;
            }

            var schema = version["schema"]?["openAPIV3Schema"] as JsonObject;
            result.Add(new CustomResourceSchema(group, name, kind, schema?.DeepClone().AsObject()));
        }

        return result;
    }
}
