using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Builds upstream's aggregated Swagger 2.0 document (<c>/openapi/v2</c>): <c>swagger: "2.0"</c>, info, every path of
/// every served group-version (converted from the <c>/openapi/v3</c> documents), every schema of the
/// <see cref="SchemaSet"/> under <c>definitions</c> (converted by <see cref="SwaggerConverter"/>; GVK tags intact, which
/// is how kubectl finds a kind's model), and the bearer-token security definition. Paths and definitions are in
/// ordinal order, so equal inputs give equal bytes.
/// </summary>
public static class SwaggerDocumentBuilder
{
    /// <summary>Builds the document as JSON and as gnostic protobuf.</summary>
    /// <param name="groupVersions">Each served group-version with its resources.</param>
    /// <param name="schemas">All served schemas.</param>
    /// <param name="customKinds">Schema names of custom resource kinds (converted with upstream's CRD v2 rules).</param>
    /// <param name="customLists">Schema names of custom resource list kinds.</param>
    public static OpenApiV2Document Build(
        IEnumerable<(string Group, string Version, IReadOnlyList<ResourceDescriptor> Resources)> groupVersions,
        SchemaSet schemas, IReadOnlySet<string> customKinds, IReadOnlySet<string> customLists)
    {
        var swagger = BuildJson(groupVersions, schemas, customKinds, customLists);
        return new OpenApiV2Document(JsonSerializer.SerializeToUtf8Bytes(swagger), GnosticProtobuf.Encode(swagger), DateTimeOffset.UtcNow);
    }

    /// <summary>Builds the document tree (see <see cref="Build"/>).</summary>
    public static JsonObject BuildJson(
        IEnumerable<(string Group, string Version, IReadOnlyList<ResourceDescriptor> Resources)> groupVersions,
        SchemaSet schemas, IReadOnlySet<string> customKinds, IReadOnlySet<string> customLists)
    {
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (group, version, resources) in groupVersions)
        {
            var v3 = OpenApiDocumentBuilder.Build(group, version, resources, schemas, components: false);
            SwaggerConverter.AddPaths(v3["paths"]!.AsObject(), paths);
        }

        var pathsNode = new JsonObject();
        foreach (var (path, item) in paths)
        {
            pathsNode[path] = item;
        }

        var definitions = new JsonObject();
        foreach (var name in schemas.Schemas.Keys.Order(StringComparer.Ordinal))
        {
            var schema = schemas.Schemas[name];
            definitions[name] = customKinds.Contains(name) ? SwaggerConverter.CustomKind(schema)
                : customLists.Contains(name) ? SwaggerConverter.CustomList(schema)
                : SwaggerConverter.BuiltIn(schema);
        }

        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = pathsNode,
            ["definitions"] = definitions,
            ["securityDefinitions"] = new JsonObject
            {
                ["BearerToken"] = new JsonObject
                {
                    ["description"] = "Bearer Token authentication",
                    ["in"] = "header",
                    ["name"] = "authorization",
                    ["type"] = "apiKey",
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
        };
    }
}
