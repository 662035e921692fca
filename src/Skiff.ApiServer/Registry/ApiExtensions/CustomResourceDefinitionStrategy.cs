using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.ApiExtensions;

/// <summary>
/// apiextensions.k8s.io/v1 customresourcedefinitions (storage and validation only; serving the custom resources
/// is a later step): the name must be <c>&lt;plural&gt;.&lt;group&gt;</c>, exactly one version is the storage
/// version, scope is Namespaced or Cluster, group and names are immutable where upstream says so; status starts
/// with the storage version in storedVersions; generation tracks the spec.
/// </summary>
public sealed class CustomResourceDefinitionStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static CustomResourceDefinitionStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override bool AllowUnconditionalUpdate => false;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        var storage = JsonPath.Objects(obj, "spec", "versions").FirstOrDefault(v => JsonPath.Bool(v, "storage") == true);
        var status = new JsonObject
        {
            ["conditions"] = new JsonArray(),
            ["acceptedNames"] = new JsonObject { ["plural"] = "", ["kind"] = "" },
            ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(JsonPath.Str(storage, "name") ?? ""),
        };
        obj["status"] = status;
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        var names = JsonPath.Ensure(spec, "names");
        if (JsonPath.Str(names, "singular") is null or "" && JsonPath.Str(names, "kind") is { Length: > 0 } kind)
        {
            names["singular"] = kind.ToLowerInvariant();
        }

        if (JsonPath.Str(names, "listKind") is null or "" && JsonPath.Str(names, "kind") is { Length: > 0 } k)
        {
            names["listKind"] = k + "List";
        }

        JsonPath.Default(JsonPath.Ensure(spec, "conversion"), "strategy", "None");
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        var group = JsonPath.Str(spec, "group") ?? "";
        var plural = JsonPath.Str(spec, "names", "plural") ?? "";
        var name = JsonPath.Name(obj);
        if (name != $"{plural}.{group}")
        {
            yield return FieldError.Invalid("metadata.name", Rules.Q(name), "must be spec.names.plural+\".\"+spec.group");
        }

        if (group.Length == 0)
        {
            yield return FieldError.Required("spec.group");
        }
        else if (!group.Contains('.'))
        {
            yield return FieldError.Invalid("spec.group", Rules.Q(group), "should be a domain with at least one dot");
        }

        if (plural.Length == 0)
        {
            yield return FieldError.Required("spec.names.plural");
        }

        if (JsonPath.Str(spec, "names", "kind") is null or "")
        {
            yield return FieldError.Required("spec.names.kind");
        }

        var scope = JsonPath.Str(spec, "scope") ?? "";
        if (scope is not ("Namespaced" or "Cluster"))
        {
            yield return scope.Length == 0 ? FieldError.Required("spec.scope") : FieldError.NotSupported("spec.scope", Rules.Q(scope), ["Cluster", "Namespaced"]);
        }

        var versions = JsonPath.Objects(spec, "versions").ToList();
        if (versions.Count == 0)
        {
            yield return FieldError.Invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion(nil)", "must have exactly one version marked as storage version");
        }
        else if (versions.Count(v => JsonPath.Bool(v, "storage") == true) != 1)
        {
            yield return FieldError.Invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion{...}", "must have exactly one version marked as storage version");
        }

        foreach (var e in CustomResources.Schema.CrdSchemaValidation.Validate(obj)) { yield return e; }
        foreach (var e in CustomResources.CrdConversionValidation.Validate(obj))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        foreach (var e in Immutable(JsonPath.Get(newObj, "spec", "group"), JsonPath.Get(oldObj, "spec", "group"), "spec.group"))
        {
            yield return e;
        }

        foreach (var e in Immutable(JsonPath.Get(newObj, "spec", "names", "plural"), JsonPath.Get(oldObj, "spec", "names", "plural"), "spec.names.plural"))
        {
            yield return e;
        }
    }
}
