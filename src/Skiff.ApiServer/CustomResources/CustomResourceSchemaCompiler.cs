using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources;

/// <summary>Compiles a CRD version's <c>openAPIV3Schema</c> into its <see cref="ICustomResourceSchema"/>.</summary>
public static class CustomResourceSchemaCompiler
{
    /// <summary>
    /// The compiled schema (pruning, defaulting, OpenAPI v3 validation, list types, CEL rules compiled once); a null
    /// schema accepts anything and changes nothing. The schema is expected to have passed the CRD's own validation
    /// (<see cref="Schema.CrdSchemaValidation"/>); rules that do not compile are skipped.
    /// </summary>
    public static ICustomResourceSchema Compile(JsonObject? openApiV3Schema) =>
        openApiV3Schema is null ? PassThrough.Instance : new Schema.CompiledCustomResourceSchema(openApiV3Schema);

    private sealed class PassThrough : ICustomResourceSchema
    {
        public static PassThrough Instance { get; } = new();

        public void Prune(JsonObject obj)
        {
        }

        public void Default(JsonObject obj)
        {
        }

        public IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old) => [];
    }
}
