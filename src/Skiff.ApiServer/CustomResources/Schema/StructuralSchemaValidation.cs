using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// Upstream's structural-schema invariants (<c>apiserver/schema/validation.go</c> and <c>complete.go</c>): a type on
/// every node, nothing but value validations inside allOf/anyOf/oneOf/not (with the two int-or-string patterns),
/// metadata restricted to name and generateName, embedded resources are objects, every field a value validation
/// names is specified outside it. The errors come sorted by their text, as upstream sorts them.
/// </summary>
internal static class StructuralSchemaValidation
{
    private enum Level
    {
        Root,
        Item,
        Field,
    }

    /// <summary>The structural errors of <paramref name="root"/> at <paramref name="path"/> (…<c>.openAPIV3Schema</c>).</summary>
    public static List<FieldError> Validate(SchemaNode root, string path)
    {
        var errs = new List<FieldError>();
        Invariants(root, Level.Root, path, errs);
        Completeness(root, root, path, path, errs);
        errs.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return errs;
    }

    internal static string Key(string path, string name) => $"{path}.properties[{name}]";

    private static void Invariants(SchemaNode? s, Level lvl, string path, List<FieldError> errs)
    {
        if (s is null)
        {
            return;
        }

        if (s.Type == "array" && s.Items is null)
        {
            errs.Add(FieldError.Required(path + ".items", "must be specified"));
        }

        Invariants(s.Items, Level.Item, path + ".items", errs);
        foreach (var (k, v) in s.Properties ?? new Dictionary<string, SchemaNode>())
        {
            Invariants(v, Level.Field, Key(path, k), errs);
        }

        if (s.AdditionalProperties is not null || s.AdditionalPropertiesAllowed is not null)
        {
            if (lvl == Level.Root)
            {
                errs.Add(FieldError.Forbidden(path + ".additionalProperties", "must not be used at the root"));
            }

            Invariants(s.AdditionalProperties, Level.Field, path + ".additionalProperties", errs);
        }

        if (s.IntOrString && s.PreserveUnknownFields == true)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-preserve-unknown-fields", "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        if (s.IntOrString && s.EmbeddedResource)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-embedded-resource", "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        var skipAnyOf = IsIntOrStringAnyOf(s.AnyOf);
        var skipFirstAllOfAnyOf = s.AllOf.Count >= 1 && IsIntOrStringAnyOf(s.AllOf[0].AnyOf);
        ValueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path, errs);

        var checkMetadata = lvl == Level.Root || s.EmbeddedResource;
        if (s.EmbeddedResource && s.Type != "object")
        {
            errs.Add(s.Type.Length == 0
                ? FieldError.Required(path + ".type", "must be object if x-kubernetes-embedded-resource is true")
                : FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object if x-kubernetes-embedded-resource is true"));
        }
        else if (s.Type.Length == 0 && !s.IntOrString && !s.Preserves)
        {
            errs.Add(FieldError.Required(path + ".type", lvl switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }

        if (s.EmbeddedResource && s.AdditionalProperties is not null)
        {
            errs.Add(FieldError.Forbidden(path + ".additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"));
        }

        if (lvl == Level.Root && s.Type.Length > 0 && s.Type != "object")
        {
            errs.Add(FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object at the root"));
        }

        if (s.Properties is { } props)
        {
            foreach (var name in new[] { "kind", "apiVersion" })
            {
                if (checkMetadata && props.TryGetValue(name, out var f) && f.Type != "string")
                {
                    errs.Add(FieldError.Invalid($"{Key(path, name)}.type", GoFormat.Quote(f.Type), "must be string"));
                }
            }

            if (props.TryGetValue("metadata", out var metadata))
            {
                if (checkMetadata && metadata.Type != "object")
                {
                    errs.Add(FieldError.Invalid($"{Key(path, "metadata")}.type", GoFormat.Quote(metadata.Type), "must be object"));
                }

                if (lvl == Level.Root && !MetadataIsNameOnly(metadata))
                {
                    errs.Add(FieldError.Forbidden(Key(path, "metadata"), "must not specify anything other than name and generateName, but metadata is implicitly specified"));
                }
            }
        }

        if (s.EmbeddedResource && !s.Preserves && (s.Properties is null || s.Properties.Count == 0))
        {
            errs.Add(FieldError.Required(path + ".properties", "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        }
    }

    private static bool IsIntOrStringAnyOf(IReadOnlyList<SchemaNode> anyOf) =>
        anyOf.Count == 2 && IsOnlyType(anyOf[0], "integer") && IsOnlyType(anyOf[1], "string");

    private static bool IsOnlyType(SchemaNode s, string type) => s.Type == type && s.Raw.Count == 1;

    /// <summary>Root metadata may only constrain name and generateName (upstream compares it with an empty schema).</summary>
    private static bool MetadataIsNameOnly(SchemaNode meta)
    {
        // type, default (checked elsewhere) and the properties name/generateName are erased before the comparison.
        foreach (var (k, v) in meta.Raw)
        {
            switch (k)
            {
                case "type" or "default":
                    continue;
                case "properties" when v is JsonObject p:
                    var names = p.Select(x => x.Key).ToList();
                    var onlyNames = names.All(n => n is "name" or "generateName");
                    if (!onlyNames)
                    {
                        return false;
                    }

                    continue;
                default:
                    return false;
            }
        }

        return true;
    }

    private static void ValueValidation(SchemaNode v, bool skipAnyOf, bool skipFirstAllOfAnyOf, string path, List<FieldError> errs)
    {
        if (!skipAnyOf)
        {
            for (var i = 0; i < v.AnyOf.Count; i++)
            {
                Nested(v.AnyOf[i], false, $"{path}.anyOf[{i}]", errs);
            }
        }

        for (var i = 0; i < v.AllOf.Count; i++)
        {
            Nested(v.AllOf[i], skipFirstAllOfAnyOf && i == 0, $"{path}.allOf[{i}]", errs);
        }

        for (var i = 0; i < v.OneOf.Count; i++)
        {
            Nested(v.OneOf[i], false, $"{path}.oneOf[{i}]", errs);
        }

        if (v.Not is { } not)
        {
            Nested(not, false, path + ".not", errs);
        }

        if (v.Pattern is { } pattern && v.PatternRegex is null)
        {
            errs.Add(FieldError.Invalid(path + ".pattern", GoFormat.Quote(pattern), "must be a valid regular expression, but isn't: error parsing regexp"));
        }
    }

    private static void Nested(SchemaNode v, bool skipAnyOf, string path, List<FieldError> errs)
    {
        ValueValidation(v, skipAnyOf, false, path, errs);
        if (v.Items is { } items)
        {
            Nested(items, false, path + ".items", errs);
        }

        foreach (var (k, f) in v.Properties ?? new Dictionary<string, SchemaNode>())
        {
            Nested(f, false, Key(path, k), errs);
        }

        if (v.Type.Length > 0)
        {
            errs.Add(FieldError.Forbidden(path + ".type", "must be empty to be structural"));
        }

        if (v.Raw.ContainsKey("additionalProperties"))
        {
            errs.Add(FieldError.Forbidden(path + ".additionalProperties", "must be undefined to be structural"));
        }

        if (v.HasDefault && v.Default is not null)
        {
            errs.Add(FieldError.Forbidden(path + ".default", "must be undefined to be structural"));
        }

        if (v.Raw["title"] is JsonValue title && title.ToString().Length > 0)
        {
            errs.Add(FieldError.Forbidden(path + ".title", "must be empty to be structural"));
        }

        if (v.Raw["description"] is JsonValue description && description.ToString().Length > 0)
        {
            errs.Add(FieldError.Forbidden(path + ".description", "must be empty to be structural"));
        }

        if (v.Nullable)
        {
            errs.Add(FieldError.Forbidden(path + ".nullable", "must be false to be structural"));
        }

        if (v.PreserveUnknownFields == true)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-preserve-unknown-fields", "must be false to be structural"));
        }

        if (v.EmbeddedResource)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-embedded-resource", "must be false to be structural"));
        }

        if (v.IntOrString)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-int-or-string", "must be false to be structural"));
        }

        if (v.ListMapKeys.Count > 0)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-list-map-keys", "must be empty to be structural"));
        }

        if (v.ListType is not null)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-list-type", "must be undefined to be structural"));
        }

        if (v.MapType is not null)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-map-type", "must be undefined to be structural"));
        }

        if (v.Validations.Count > 0)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-validations", "must be empty to be structural"));
        }

        if (v.Properties?.ContainsKey("metadata") == true)
        {
            errs.Add(FieldError.Forbidden(Key(path, "metadata"), "must not be specified in a nested context"));
        }
    }

    /// <summary>Every field or items a root-level value validation names must be specified in the structural schema.</summary>
    private static void Completeness(SchemaNode v, SchemaNode? s, string sPath, string vPath, List<FieldError> errs)
    {
        if (s is null)
        {
            errs.Add(FieldError.Required(sPath, $"because it is defined in {vPath}"));
            return;
        }

        if (v.Not is { } not)
        {
            NestedCompleteness(not, s, sPath, vPath + ".not", errs);
        }

        for (var i = 0; i < v.AllOf.Count; i++)
        {
            NestedCompleteness(v.AllOf[i], s, sPath, $"{vPath}.allOf[{i}]", errs);
        }

        for (var i = 0; i < v.AnyOf.Count; i++)
        {
            NestedCompleteness(v.AnyOf[i], s, sPath, $"{vPath}.anyOf[{i}]", errs);
        }

        for (var i = 0; i < v.OneOf.Count; i++)
        {
            NestedCompleteness(v.OneOf[i], s, sPath, $"{vPath}.oneOf[{i}]", errs);
        }
    }

    private static void NestedCompleteness(SchemaNode v, SchemaNode? s, string sPath, string vPath, List<FieldError> errs)
    {
        if (s is null)
        {
            errs.Add(FieldError.Required(sPath, $"because it is defined in {vPath}"));
            return;
        }

        Completeness(v, s, sPath, vPath, errs);
        if (v.Items is { } items)
        {
            NestedCompleteness(items, s.Items, sPath + ".items", vPath + ".items", errs);
        }

        foreach (var (k, f) in v.Properties ?? new Dictionary<string, SchemaNode>())
        {
            if (s.Properties is { } props && props.TryGetValue(k, out var sf))
            {
                NestedCompleteness(f, sf, Key(sPath, k), Key(vPath, k), errs);
            }
            else
            {
                errs.Add(FieldError.Required(Key(sPath, k), $"because it is defined in {Key(vPath, k)}"));
            }
        }
    }
}
