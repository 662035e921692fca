using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources.Cel;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// The real <see cref="ICustomResourceSchema"/> of one CRD version: the schema parsed once into
/// <see cref="SchemaNode"/>s and its CEL rules compiled once; prune, default and validate then walk the object.
/// Thread-safe: nothing here changes after construction.
/// </summary>
internal sealed class CompiledCustomResourceSchema : ICustomResourceSchema
{
    private readonly SchemaNode root;
    private readonly CelRuleValidator cel;

    /// <summary>Parses <paramref name="openApiV3Schema"/> and compiles its rules.</summary>
    public CompiledCustomResourceSchema(JsonObject openApiV3Schema)
    {
        root = SchemaNode.Parse((JsonObject)openApiV3Schema.DeepClone());
        cel = new CelRuleValidator(CelRuleCompiler.CompileAll(root));
    }

    /// <summary>The parsed root schema.</summary>
    internal SchemaNode Root => root;

    /// <inheritdoc/>
    public void Prune(JsonObject obj) => SchemaPruner.PruneRoot(obj, root);

    /// <inheritdoc/>
    public void Default(JsonObject obj) => SchemaDefaulter.Default(obj, root);

    /// <inheritdoc/>
    public IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old)
    {
        var errs = new List<FieldError>();
        OpenApiValueValidator.Validate(root, obj, "", errs);
        ListTypeValidator.Validate(obj, root, "", errs);
        if (cel.HasRules)
        {
            cel.Validate(root, obj, old, errs);
        }

        return errs;
    }
}
