using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// What one served version's <c>openAPIV3Schema</c> does to a custom resource on every write (upstream
/// apiextensions-apiserver's pruning, defaulting and validation, in that order): the custom resource strategy calls
/// <see cref="Prune"/>, then <see cref="Default"/>, then <see cref="Validate"/> and rejects the write with a 422
/// Invalid <c>Status</c> when any error comes back. Compiled once per CRD version by
/// <see cref="CustomResourceSchemaCompiler.Compile"/> and shared by every request; implementations are thread-safe.
/// </summary>
public interface ICustomResourceSchema
{
    /// <summary>Removes, in place, every field the schema does not specify (respecting
    /// <c>x-kubernetes-preserve-unknown-fields</c> and <c>x-kubernetes-embedded-resource</c>); <c>apiVersion</c>,
    /// <c>kind</c> and <c>metadata</c> at the root are never pruned.</summary>
    void Prune(JsonObject obj);

    /// <summary>Applies the schema's <c>default</c> values in place.</summary>
    void Default(JsonObject obj);

    /// <summary>The errors of <paramref name="obj"/> against the schema and its <c>x-kubernetes-validations</c>
    /// rules; <paramref name="old"/> is the stored object on update (for transition rules), null on create.</summary>
    IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old);
}
