using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Api.Serialization;
using Skiff.Client.Rest;

namespace Skiff.Client.Entities;

/// <summary>
/// Writes generated CRDs as kubectl reads them: block-style YAML (one document per CRD, separated by <c>---</c>) or
/// JSON (one object, or a <c>v1 List</c> for several). Output is deterministic: the same classes give the same bytes.
/// </summary>
public static class CustomResourceDefinitionWriter
{
    private static readonly JsonSerializerOptions Indented = new(KubernetesSerialization.Options) { WriteIndented = true };

    /// <summary>The CRD as a JSON node (the client's serializer: camelCase, no nulls).</summary>
    public static JsonObject ToJsonNode(V1CustomResourceDefinition crd) =>
        JsonSerializer.SerializeToNode(crd, KubernetesSerialization.Options)!.AsObject();

    /// <summary>YAML documents, one per CRD, each starting with <c>---</c>.</summary>
    public static string ToYaml(IEnumerable<V1CustomResourceDefinition> crds)
    {
        var sb = new StringBuilder();
        foreach (var crd in crds)
        {
            sb.Append("---\n");
            YamlWriter.Write(sb, ToJsonNode(crd));
        }

        return sb.ToString();
    }

    /// <summary>Indented JSON: the CRD itself, or a <c>List</c> of several.</summary>
    public static string ToJson(IReadOnlyList<V1CustomResourceDefinition> crds)
    {
        JsonNode node = crds.Count == 1
            ? ToJsonNode(crds[0])
            : new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. crds.Select(ToJsonNode)]) };
        return node.ToJsonString(Indented) + "\n";
    }

    /// <summary>The file name controller-gen gives a CRD: <c>GROUP_PLURAL.yaml</c> (or <c>.json</c>).</summary>
    public static string FileName(V1CustomResourceDefinition crd, string extension = "yaml") =>
        string.Create(CultureInfo.InvariantCulture, $"{crd.Spec.Group}_{crd.Spec.Names.Plural}.{extension}");
}
