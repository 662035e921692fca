using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources.Cel;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// The checks of a CustomResourceDefinition's own schemas on create and update, with upstream's messages and paths
/// (<c>apiextensions/validation.go</c> and <c>schema/validation.go</c>): a v1 version needs a schema, every schema
/// must be structural (<c>type</c> everywhere, nothing but value checks inside allOf/anyOf/oneOf/not, metadata limited
/// to name and generateName, embedded resources are objects...), extension markers must be coherent, defaults must
/// validate and survive pruning, and every CEL rule must compile.
/// </summary>
public static class CrdSchemaValidation
{
    private static readonly string[] OpenApiTypes = ["array", "boolean", "integer", "number", "object", "string"];

    private enum Level
    {
        Root,
        Item,
        Field,
    }

    /// <summary>The errors of every version's <c>schema.openAPIV3Schema</c> of <paramref name="crd"/>.</summary>
    public static IEnumerable<FieldError> Validate(JsonObject crd)
    {
        var errs = new List<FieldError>();
        if (crd["spec"]?["versions"] is not JsonArray versions)
        {
            return errs;
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i] is not JsonObject version)
            {
                continue;
            }

            var path = $"spec.versions[{i}].schema.openAPIV3Schema";
            if (version["schema"]?["openAPIV3Schema"] is not JsonObject schema)
            {
                errs.Add(FieldError.Required(path, "schemas are required"));
                continue;
            }

            var node = SchemaNode.Parse(schema);
            Structural(node, Level.Root, path, errs);
            Markers(node, path, errs);
        }

        return errs;
    }

    private static string Key(string path, string name) => $"{path}.properties[{name}]";

    private static void Structural(SchemaNode s, Level lvl, string path, List<FieldError> errs)
    {
        if (s.Type == "array" && s.Items is null)
        {
            errs.Add(FieldError.Required(path + ".items", "must be specified"));
        }

        if (s.Items is { } items)
        {
            Structural(items, Level.Item, path + ".items", errs);
        }

        foreach (var (k, v) in s.Properties ?? new Dictionary<string, SchemaNode>())
        {
            Structural(v, Level.Field, Key(path, k), errs);
        }

        if (s.Raw.ContainsKey("additionalProperties"))
        {
            if (lvl == Level.Root)
            {
                errs.Add(FieldError.Forbidden(path + ".additionalProperties", "must not be used at the root"));
            }

            if (s.Properties is not null)
            {
                errs.Add(FieldError.Forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
            }

            if (s.AdditionalProperties is { } ap)
            {
                Structural(ap, Level.Field, path + ".additionalProperties", errs);
            }
        }

        if (s.Raw.ContainsKey("$ref"))
        {
            errs.Add(FieldError.Forbidden(path + ".$ref", "$ref is not supported"));
        }

        if (s.Type.Length > 0 && !OpenApiTypes.Contains(s.Type))
        {
            errs.Add(FieldError.NotSupported(path + ".type", GoFormat.Quote(s.Type), OpenApiTypes));
        }

        if (s.IntOrString && s.PreserveUnknownFields == true)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-preserve-unknown-fields", "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        if (s.IntOrString && s.EmbeddedResource)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-embedded-resource", "true", "must be false if x-kubernetes-int-or-string is true"));
        }

        Nested(s, path, errs);

        if (s.EmbeddedResource && s.Type != "object")
        {
            errs.Add(s.Type.Length == 0
                ? FieldError.Required(path + ".type", "must be object if x-kubernetes-embedded-resource is true")
                : FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object if x-kubernetes-embedded-resource is true"));
        }
        else if (s.Type.Length == 0 && !s.EmbeddedResource && !s.IntOrString)
        {
            errs.Add(FieldError.Required(path + ".type", lvl switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }
        else if (lvl == Level.Root && s.Type.Length > 0 && s.Type != "object")
        {
            errs.Add(FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object at the root"));
        }

        var checkMetadata = lvl == Level.Root || s.EmbeddedResource;
        if (checkMetadata && s.Properties is { } p)
        {
            foreach (var name in new[] { "kind", "apiVersion" })
            {
                if (p.TryGetValue(name, out var field) && field.Type != "string")
                {
                    errs.Add(FieldError.Invalid($"{Key(path, name)}.type", GoFormat.Quote(field.Type), "must be string"));
                }
            }

            if (p.TryGetValue("metadata", out var metadata) && metadata.Type != "object")
            {
                errs.Add(FieldError.Invalid($"{Key(path, "metadata")}.type", GoFormat.Quote(metadata.Type), "must be object"));
            }
        }

        if (lvl == Level.Root && s.Properties is { } rootProps && rootProps.TryGetValue("metadata", out var meta) && !MetadataIsNameOnly(meta))
        {
            errs.Add(FieldError.Forbidden(Key(path, "metadata"), "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }

        if (s.EmbeddedResource && !s.Preserves && (s.Properties is null || s.Properties.Count == 0))
        {
            errs.Add(FieldError.Required(path + ".properties", "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        }
    }

    /// <summary>Upstream allows root metadata to say only type: object and constrain name/generateName.</summary>
    private static bool MetadataIsNameOnly(SchemaNode meta)
    {
        var allowed = new HashSet<string> { "type", "properties", "description" };
        if (meta.Raw.Any(kv => !allowed.Contains(kv.Key)))
        {
            return false;
        }

        return meta.Properties is null || meta.Properties.Keys.All(k => k is "name" or "generateName");
    }

    private static void Nested(SchemaNode s, string path, List<FieldError> errs)
    {
        var intOrStringAnyOf = s.AnyOf.Count == 2 && s.AnyOf[0].Type == "integer" && s.AnyOf[1].Type == "string";
        for (var i = 0; i < s.AnyOf.Count; i++)
        {
            NestedValueValidation(s, s.AnyOf[i], $"{path}.anyOf[{i}]", intOrStringAnyOf, errs);
        }

        for (var i = 0; i < s.AllOf.Count; i++)
        {
            var first = i == 0 && s.AllOf[0].AnyOf.Count == 2 && s.AllOf[0].AnyOf[0].Type == "integer" && s.AllOf[0].AnyOf[1].Type == "string";
            NestedValueValidation(s, s.AllOf[i], $"{path}.allOf[{i}]", false, errs, skipAnyOfTypes: first);
        }

        for (var i = 0; i < s.OneOf.Count; i++)
        {
            NestedValueValidation(s, s.OneOf[i], $"{path}.oneOf[{i}]", false, errs);
        }

        if (s.Not is { } not)
        {
            NestedValueValidation(s, not, path + ".not", false, errs);
        }
    }

    private static void NestedValueValidation(SchemaNode outer, SchemaNode v, string path, bool allowType, List<FieldError> errs, bool skipAnyOfTypes = false)
    {
        if (v.Type.Length > 0 && !allowType)
        {
            errs.Add(FieldError.Forbidden(path + ".type", "must be empty to be structural"));
        }

        foreach (var (key, text) in new[]
                 {
                     ("default", "must be undefined to be structural"), ("additionalProperties", "must be undefined to be structural"),
                     ("nullable", "must be false to be structural"), ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
                     ("x-kubernetes-embedded-resource", "must be false to be structural"), ("x-kubernetes-int-or-string", "must be false to be structural"),
                     ("x-kubernetes-list-type", "must be undefined to be structural"), ("x-kubernetes-map-type", "must be undefined to be structural"),
                     ("x-kubernetes-list-map-keys", "must be undefined to be structural"),
                 })
        {
            if (v.Raw.TryGetPropertyValue(key, out var value) && !(value is JsonValue b && b.TryGetValue<bool>(out var f) && !f))
            {
                errs.Add(FieldError.Forbidden($"{path}.{key}", text));
            }
        }

        foreach (var (k, prop) in v.Properties ?? new Dictionary<string, SchemaNode>())
        {
            if (outer.Properties is null || !outer.Properties.ContainsKey(k))
            {
                errs.Add(FieldError.Required(Key(path[..path.LastIndexOf('.')], k), $"because it is defined in {path[(path.LastIndexOf('.') + 1)..]}.properties[{k}]"));
            }

            NestedValueValidation(outer.Properties?.GetValueOrDefault(k) ?? prop, prop, Key(path, k), false, errs);
        }

        if (v.Items is { } items)
        {
            if (outer.Items is null)
            {
                errs.Add(FieldError.Required(path[..path.LastIndexOf('.')] + ".items", $"because it is defined in {path[(path.LastIndexOf('.') + 1)..]}.items"));
            }

            NestedValueValidation(outer.Items ?? items, items, path + ".items", false, errs);
        }

        for (var i = 0; i < v.AnyOf.Count; i++)
        {
            NestedValueValidation(outer, v.AnyOf[i], $"{path}.anyOf[{i}]", skipAnyOfTypes, errs);
        }

        for (var i = 0; i < v.AllOf.Count; i++)
        {
            NestedValueValidation(outer, v.AllOf[i], $"{path}.allOf[{i}]", false, errs);
        }

        for (var i = 0; i < v.OneOf.Count; i++)
        {
            NestedValueValidation(outer, v.OneOf[i], $"{path}.oneOf[{i}]", false, errs);
        }

        if (v.Not is { } not)
        {
            NestedValueValidation(outer, not, path + ".not", false, errs);
        }
    }

    /// <summary>Extension markers, defaults and CEL rules of every node.</summary>
    private static void Markers(SchemaNode s, string path, List<FieldError> errs)
    {
        if (s.PreserveUnknownFields == false)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-preserve-unknown-fields", "false", "must be true or undefined"));
        }

        ListAndMapTypes(s, path, errs);
        if (s.HasDefault)
        {
            Defaults(s, path, errs);
        }

        for (var i = 0; i < s.Validations.Count; i++)
        {
            Rule(s.Validations[i], $"{path}.x-kubernetes-validations[{i}]", errs);
        }

        foreach (var (k, v) in s.Properties ?? new Dictionary<string, SchemaNode>())
        {
            Markers(v, Key(path, k), errs);
        }

        if (s.AdditionalProperties is { } ap)
        {
            Markers(ap, path + ".additionalProperties", errs);
        }

        if (s.Items is { } items)
        {
            Markers(items, path + ".items", errs);
        }
    }

    private static void ListAndMapTypes(SchemaNode s, string path, List<FieldError> errs)
    {
        if (s.ListType is { } lt)
        {
            if (lt is not ("atomic" or "set" or "map"))
            {
                errs.Add(FieldError.NotSupported(path + ".x-kubernetes-list-type", GoFormat.Quote(lt), ["atomic", "set", "map"]));
            }
            else if (s.Type != "array")
            {
                errs.Add(FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be array if x-kubernetes-list-type is specified"));
            }
        }

        if (s.ListMapKeys.Count > 0 && s.ListType != "map")
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-list-map-keys", "requires x-kubernetes-list-type: map"));
        }

        if (s.ListType == "map")
        {
            if (s.ListMapKeys.Count == 0)
            {
                errs.Add(FieldError.Required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"));
            }

            if (s.Items is { } items && items.Type != "object")
            {
                errs.Add(FieldError.Invalid(path + ".items.type", GoFormat.Quote(items.Type), "must be object if parent array's x-kubernetes-list-type is map"));
            }
            else if (s.Items is { } mapItems)
            {
                foreach (var k in s.ListMapKeys)
                {
                    if (mapItems.Properties is null || !mapItems.Properties.TryGetValue(k, out var keyProp))
                    {
                        errs.Add(FieldError.Invalid(path + ".x-kubernetes-list-map-keys", GoFormat.StringSlice(s.ListMapKeys), "entries must all be names of item properties"));
                        break;
                    }

                    if (keyProp.Type is not ("string" or "integer" or "number" or "boolean"))
                    {
                        errs.Add(FieldError.Invalid($"{Key(path + ".items", k)}.type", GoFormat.Quote(keyProp.Type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
                    }
                }
            }
        }

        if (s.ListType == "set" && s.Items is { Type: "object" or "array" } setItems && setItems.MapType != "atomic" && setItems.ListType != "atomic")
        {
            errs.Add(FieldError.Invalid(path + ".items.x-kubernetes-map-type", "nil", "must be atomic as item of a list with x-kubernetes-list-type=set"));
        }

        if (s.MapType is { } mt)
        {
            if (mt is not ("granular" or "atomic"))
            {
                errs.Add(FieldError.NotSupported(path + ".x-kubernetes-map-type", GoFormat.Quote(mt), ["granular", "atomic"]));
            }
            else if (s.Type != "object")
            {
                errs.Add(FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object if x-kubernetes-map-type is specified"));
            }
        }
    }

    private static void Defaults(SchemaNode s, string path, List<FieldError> errs)
    {
        var at = path + ".default";
        if (s.Default is null)
        {
            if (!s.Nullable)
            {
                errs.Add(FieldError.Forbidden(at, "must not be null for non-nullable"));
            }

            return;
        }

        var value = s.Default.DeepClone();
        var found = new List<FieldError>();
        OpenApiValueValidator.Validate(s, value, "", found);
        foreach (var e in found)
        {
            var field = e.Field is "<nil>" or "" ? at : at + "." + e.Field;
            errs.Add(e with { Field = field });
        }

        if (value is JsonObject or JsonArray)
        {
            var pruned = value.DeepClone();
            var wrapper = new JsonObject { ["v"] = pruned };
            var holder = SchemaNode.Parse(new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["v"] = (JsonObject)s.Raw.DeepClone() } });
            SchemaPruner.PruneRoot(wrapper, holder);
            if (!JsonEquality.Equal(wrapper["v"], value))
            {
                errs.Add(FieldError.Invalid(at, GoValue.BadValue(value), "must not have unknown fields"));
            }
        }
    }

    private static void Rule(ValidationRule rule, string path, List<FieldError> errs)
    {
        if (rule.Rule.Trim().Length == 0)
        {
            errs.Add(FieldError.Required(path + ".rule", ""));
            return;
        }

        if (CelRuleCompiler.TryCompile(rule.Rule, out var error) is null)
        {
            errs.Add(FieldError.Invalid(path + ".rule", rule.GoString(), "compilation failed: " + error));
        }

        if (rule.MessageExpression.Length > 0 && CelRuleCompiler.TryCompile(rule.MessageExpression, out var messageError) is null)
        {
            errs.Add(FieldError.Invalid(path + ".messageExpression", rule.GoString(), "messageExpression compilation failed: " + messageError));
        }

        if (rule.Message.Contains('\n'))
        {
            errs.Add(FieldError.Invalid(path + ".message", GoFormat.Quote(rule.Message), "message must not contain line breaks"));
        }

        if (rule.Reason is { } reason && reason is not ("FieldValueInvalid" or "FieldValueForbidden" or "FieldValueRequired" or "FieldValueDuplicate"))
        {
            errs.Add(FieldError.NotSupported(path + ".reason", GoFormat.Quote(reason), ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]));
        }

        if (rule.OptionalOldSelf == true && !KubernetesCelLibrary.UsesOldSelf(rule.Rule))
        {
            errs.Add(FieldError.Invalid(path + ".optionalOldSelf", "true", "may not be set if oldSelf is not used in rule"));
        }
    }
}
