using System.Text.Json.Nodes;
using Skiff.ApiServer.Endpoints.Subresources;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The served resources of an established CustomResourceDefinition: one <see cref="ResourceDescriptor"/> per served
/// version, named by <c>status.acceptedNames</c>, scoped by <c>spec.scope</c>, with the version's status and scale
/// subresources and a <see cref="CustomResourceStrategy"/> over the version's compiled schema. Versions other than the
/// storage version are stored as the storage version (<see cref="ResourceDescriptor.StorageGroupVersion"/>;
/// conversion <c>None</c> rewrites only <c>apiVersion</c>).
/// </summary>
public static class CustomResourceDescriptors
{
    private static readonly IReadOnlyList<string> SubresourceVerbs = ["get", "patch", "update"];

    /// <summary>The descriptors of <paramref name="crd"/>'s served versions (empty when it names no plural or kind).</summary>
    public static IReadOnlyList<ResourceDescriptor> FromCrd(JsonObject crd)
    {
        var group = JsonPath.Str(crd, "spec", "group") ?? "";
        var names = JsonPath.Obj(crd, "status", "acceptedNames");
        var plural = JsonPath.Str(names, "plural") ?? "";
        var kind = JsonPath.Str(names, "kind") ?? "";
        if (group.Length == 0 || plural.Length == 0 || kind.Length == 0)
        {
            return [];
        }

        var versions = JsonPath.Objects(crd, "spec", "versions").ToList();
        var storage = versions.FirstOrDefault(v => JsonPath.Bool(v, "storage") == true) is { } s ? JsonPath.Str(s, "name") : null;
        var result = new List<ResourceDescriptor>();
        foreach (var v in versions.Where(v => JsonPath.Bool(v, "served") == true))
        {
            var version = JsonPath.Str(v, "name") ?? "";
            var strategy = new CustomResourceStrategy(crd, v, CustomResourceSchemaCompiler.Compile(JsonPath.Obj(v, "schema", "openAPIV3Schema")));
            var subresources = new List<SubresourceDescriptor>();
            if (strategy.HasStatusSubresource)
            {
                subresources.Add(new SubresourceDescriptor("status", group, version, kind, SubresourceVerbs) { Handler = ObjectSubresourceHandler.Instance });
            }

            if (strategy.HasScale)
            {
                subresources.Add(new SubresourceDescriptor("scale", "autoscaling", "v1", "Scale", SubresourceVerbs) { Handler = ScaleSubresourceHandler.Instance });
            }

            result.Add(new ResourceDescriptor
            {
                Group = group,
                Version = version,
                Resource = plural,
                SingularName = JsonPath.Str(names, "singular") is { Length: > 0 } singular ? singular : kind.ToLowerInvariant(),
                Kind = kind,
                Namespaced = JsonPath.Str(crd, "spec", "scope") != "Cluster",
                ShortNames = Strings(names?["shortNames"]),
                Categories = Strings(names?["categories"]),
                Subresources = subresources,
                Strategy = strategy,
                Custom = true,
                StorageGroupVersion = storage is not null && storage != version ? $"{group}/{storage}" : null,
            });
        }

        return result;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(JsonPath.AsString).OfType<string>().ToList() : [];
}
