using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.CustomResources.Cel;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// The checks of a CustomResourceDefinition's own schemas on create and update, with upstream's messages and paths
/// (<c>apiextensions/validation/validation.go</c> <c>validateCustomResourceDefinitionValidation</c>): every v1
/// version needs a schema; each schema node passes the OpenAPI checks (supported types, no $ref/definitions/...,
/// no uniqueItems, properties xor additionalProperties, no defaults in metadata, coherent list/map markers,
/// compiling CEL rules); then the schema must be structural (<see cref="StructuralSchemaValidation"/>); then every
/// default must validate against its node and survive pruning.
/// </summary>
public static class CrdSchemaValidation
{
    private static readonly string[] OpenApiTypes = ["array", "boolean", "integer", "number", "object", "string"];
    private static readonly HashSet<string> MetaFields = ["metadata", "kind", "apiVersion"];

    /// <summary>How a node is checked: whether defaults are allowed (and why not) and whether it is inside TypeMeta/ObjectMeta.</summary>
    private sealed record Context(bool AllowDefaults, string DisallowReason, bool InsideMeta);

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

            var path = $"spec.versions[{i}].schema";
            if (version["schema"]?["openAPIV3Schema"] is not JsonObject schema)
            {
                errs.Add(FieldError.Required(path + ".openAPIV3Schema", "schemas are required"));
                continue;
            }

            errs.AddRange(ValidateSchema(SchemaNode.Parse(schema), path));
        }

        return errs;
    }

    /// <summary>The errors of one version's schema at <paramref name="path"/> (<c>spec.versions[i].schema</c>).</summary>
    internal static List<FieldError> ValidateSchema(SchemaNode root, string path)
    {
        var errs = new List<FieldError>();
        if (root.Nullable)
        {
            errs.Add(FieldError.Forbidden(path + ".openAPIV3Schema.nullable", "nullable cannot be true at the root"));
        }

        var schemaPath = path + ".openAPIV3Schema";
        OpenApiSchema(root, schemaPath, new Context(true, "", false), isRoot: true, errs);
        var structural = StructuralSchemaValidation.Validate(root, schemaPath);
        if (structural.Count > 0)
        {
            errs.AddRange(structural);
        }
        else
        {
            Defaults(root, schemaPath, embeddedOrRoot: true, insideMeta: false, errs);
        }

        return errs;
    }

    private static void OpenApiSchema(SchemaNode? s, string path, Context ctx, bool isRoot, List<FieldError> errs)
    {
        if (s is null)
        {
            return;
        }

        Standard(s, path, ctx, errs);
        if (s.UniqueItems)
        {
            errs.Add(FieldError.Forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        if (s.AdditionalProperties is not null || s.AdditionalPropertiesAllowed is not null)
        {
            if (s.Properties is { Count: > 0 } && (s.AdditionalPropertiesAllowed == false || s.AdditionalProperties is not null))
            {
                errs.Add(FieldError.Forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
            }

            var sub = ctx.InsideMeta ? ctx with { AllowDefaults = false, DisallowReason = "inside additionalProperties applying to object metadata" } : ctx;
            OpenApiSchema(s.AdditionalProperties, path + ".additionalProperties", sub, false, errs);
        }

        foreach (var (k, v) in s.Properties ?? new Dictionary<string, SchemaNode>())
        {
            var sub = ctx;
            if ((isRoot || s.EmbeddedResource) && MetaFields.Contains(k))
            {
                sub = sub with { InsideMeta = true };
                if (isRoot)
                {
                    sub = sub with { AllowDefaults = false, DisallowReason = $"in top-level {k}" };
                }
            }

            OpenApiSchema(v, StructuralSchemaValidation.Key(path, k), sub, false, errs);
        }

        OpenApiSchema(s.Not, path + ".not", ctx, false, errs);
        for (var i = 0; i < s.AllOf.Count; i++)
        {
            OpenApiSchema(s.AllOf[i], $"{path}.allOf[{i}]", ctx, false, errs);
        }

        for (var i = 0; i < s.OneOf.Count; i++)
        {
            OpenApiSchema(s.OneOf[i], $"{path}.oneOf[{i}]", ctx, false, errs);
        }

        for (var i = 0; i < s.AnyOf.Count; i++)
        {
            OpenApiSchema(s.AnyOf[i], $"{path}.anyOf[{i}]", ctx, false, errs);
        }

        OpenApiSchema(s.Items, path + ".items", ctx, false, errs);
        if (s.PreserveUnknownFields == false)
        {
            errs.Add(FieldError.Invalid(path + ".x-kubernetes-preserve-unknown-fields", "false", "must be true or undefined"));
        }

        ListAndMapTypes(s, path, errs);
        Rules(s, path, errs);
        MapListKeys(s, path, errs);
    }

    /// <summary>upstream <c>specStandardValidatorV3.validate</c>.</summary>
    private static void Standard(SchemaNode s, string path, Context ctx, List<FieldError> errs)
    {
        if (s.Type.Length > 0 && !OpenApiTypes.Contains(s.Type))
        {
            errs.Add(FieldError.NotSupported(path + ".type", GoFormat.Quote(s.Type), OpenApiTypes));
        }

        if (s.HasDefault && s.Default is not null && !ctx.AllowDefaults)
        {
            errs.Add(FieldError.Forbidden(path + ".default", "must not be set" + (ctx.DisallowReason.Length > 0 ? " " + ctx.DisallowReason : "")));
        }

        foreach (var (key, text) in new[]
                 {
                     ("id", "id is not supported"), ("additionalItems", "additionalItems is not supported"),
                     ("patternProperties", "patternProperties is not supported"), ("definitions", "definitions is not supported"),
                     ("dependencies", "dependencies is not supported"), ("$ref", "$ref is not supported"),
                 })
        {
            if (s.Raw[key] is { } v && !(v is JsonValue sv && sv.ToString().Length == 0) && !(v is JsonObject o && o.Count == 0))
            {
                errs.Add(FieldError.Forbidden($"{path}.{key}", text));
            }
        }

        if (s.Type == "null")
        {
            errs.Add(FieldError.Forbidden(path + ".type", "type cannot be set to null, use nullable as an alternative"));
        }

        if (s.Raw["items"] is JsonArray)
        {
            errs.Add(FieldError.Forbidden(path + ".items", "items must be a schema object and not an array"));
        }

        if (ctx.InsideMeta && s.EmbeddedResource)
        {
            errs.Add(FieldError.Forbidden(path + ".x-kubernetes-embedded-resource", "must not be used inside of resource meta"));
        }
    }

    private static void ListAndMapTypes(SchemaNode s, string path, List<FieldError> errs)
    {
        if (s.MapType is { } mt)
        {
            if (s.Type != "object")
            {
                errs.Add(s.Type.Length == 0
                    ? FieldError.Required(path + ".type", "must be object if x-kubernetes-map-type is specified")
                    : FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be object if x-kubernetes-map-type is specified"));
            }

            if (mt is not ("atomic" or "granular"))
            {
                errs.Add(FieldError.NotSupported(path + ".x-kubernetes-map-type", GoFormat.Quote(mt), ["atomic", "granular"]));
            }
        }

        if (s.ListType is { } lt && s.Type != "array")
        {
            errs.Add(s.Type.Length == 0
                ? FieldError.Required(path + ".type", "must be array if x-kubernetes-list-type is specified")
                : FieldError.Invalid(path + ".type", GoFormat.Quote(s.Type), "must be array if x-kubernetes-list-type is specified"));
        }
        else if (s.ListType == "set" && s.Items is { } setItems)
        {
            if (setItems.Type == "array" && setItems.ListType is not null and not "atomic")
            {
                errs.Add(FieldError.Invalid(path + ".items.x-kubernetes-list-type", GoFormat.Quote(setItems.ListType), "must be atomic as item of a list with x-kubernetes-list-type=set"));
            }
            else if (setItems.Type == "object" && setItems.MapType != "atomic")
            {
                errs.Add(FieldError.Invalid(path + ".items.x-kubernetes-map-type", setItems.ListType is null ? "\"null\"" : GoFormat.Quote(setItems.ListType), "must be atomic as item of a list with x-kubernetes-list-type=set"));
            }
        }

        if (s.ListType is { } listType && listType is not ("atomic" or "set" or "map"))
        {
            errs.Add(FieldError.NotSupported(path + ".x-kubernetes-list-type", GoFormat.Quote(listType), ["atomic", "set", "map"]));
        }

        if (s.ListMapKeys.Count > 0)
        {
            if (s.ListType is null)
            {
                errs.Add(FieldError.Required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty"));
            }
            else if (s.ListType != "map")
            {
                errs.Add(FieldError.Invalid(path + ".x-kubernetes-list-type", GoFormat.Quote(s.ListType), "must be map if x-kubernetes-list-map-keys is non-empty"));
            }
        }

        if (s.ListType != "map")
        {
            return;
        }

        if (s.ListMapKeys.Count == 0)
        {
            errs.Add(FieldError.Required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"));
        }

        if (s.Items is null)
        {
            errs.Add(FieldError.Required(path + ".items", "must have a schema if x-kubernetes-list-type is map"));
            return;
        }

        if (s.Items.Type != "object")
        {
            errs.Add(FieldError.Invalid(path + ".items.type", GoFormat.Quote(s.Items.Type), "must be object if parent array's x-kubernetes-list-type is map"));
            return;
        }

        var keys = new HashSet<string>();
        foreach (var k in s.ListMapKeys)
        {
            if (s.Items.Properties is { } props && props.TryGetValue(k, out var keySchema))
            {
                if (keySchema.Type is "array" or "object")
                {
                    errs.Add(FieldError.Invalid($"{StructuralSchemaValidation.Key(path + ".items", k)}.type", GoFormat.Quote(s.Items.Type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
                }
            }
            else
            {
                errs.Add(FieldError.Invalid(path + ".x-kubernetes-list-map-keys", GoFormat.StringSlice(s.ListMapKeys), "entries must all be names of item properties"));
            }

            if (!keys.Add(k))
            {
                errs.Add(FieldError.Invalid(path + ".x-kubernetes-list-map-keys", GoFormat.StringSlice(s.ListMapKeys), "must not contain duplicate entries"));
            }
        }
    }

    /// <summary>upstream <c>validateMapListKeysMapSet</c>: set/map items are not nullable; map keys are required or defaulted.</summary>
    private static void MapListKeys(SchemaNode s, string path, List<FieldError> errs)
    {
        if (s.Items is not { } items || s.ListType is not ("set" or "map"))
        {
            return;
        }

        if (items.Nullable)
        {
            errs.Add(FieldError.Forbidden(path + ".items.nullable", "cannot be nullable when x-kubernetes-list-type is " + s.ListType));
        }

        if (s.ListType != "map")
        {
            return;
        }

        foreach (var k in s.ListMapKeys)
        {
            if (items.Properties is null || !items.Properties.TryGetValue(k, out var key))
            {
                continue;
            }

            if (!items.Required.Contains(k) && key.Default is null)
            {
                errs.Add(FieldError.Required($"{StructuralSchemaValidation.Key(path + ".items", k)}.default", "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
            }

            if (key.Nullable)
            {
                errs.Add(FieldError.Forbidden($"{StructuralSchemaValidation.Key(path + ".items", k)}.nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
            }
        }
    }

    private static void Rules(SchemaNode s, string path, List<FieldError> errs)
    {
        for (var i = 0; i < s.Validations.Count; i++)
        {
            var rule = s.Validations[i];
            var at = $"{path}.x-kubernetes-validations[{i}]";
            var trimmedRule = rule.Rule.Trim();
            var trimmedMessage = rule.Message.Trim();
            if (trimmedRule.Length == 0)
            {
                errs.Add(FieldError.Required(at + ".rule", "rule is not specified"));
                continue;
            }

            if (rule.Message.Length > 0 && trimmedMessage.Length == 0)
            {
                errs.Add(FieldError.Invalid(at + ".message", GoFormat.Quote(rule.Message), "message must be non-empty if specified"));
            }
            else if (trimmedMessage.AsSpan().IndexOfAny('\n', '\r') >= 0)
            {
                errs.Add(FieldError.Invalid(at + ".message", GoFormat.Quote(rule.Message), "message must not contain line breaks"));
            }
            else if (trimmedRule.AsSpan().IndexOfAny('\n', '\r') >= 0 && trimmedMessage.Length == 0)
            {
                errs.Add(FieldError.Required(at + ".message", "message must be specified if rule contains line breaks"));
            }

            if (CelRuleCompiler.TryCompile(rule.Rule, out var error) is null)
            {
                errs.Add(FieldError.Invalid(at + ".rule", rule.GoString(), "compilation failed: " + error));
            }

            if (rule.MessageExpression.Length > 0 && CelRuleCompiler.TryCompile(rule.MessageExpression, out var messageError) is null)
            {
                errs.Add(FieldError.Invalid(at + ".messageExpression", rule.GoString(), "messageExpression compilation failed: " + messageError));
            }

            if (rule.Reason is { } reason && reason is not ("FieldValueInvalid" or "FieldValueForbidden" or "FieldValueRequired" or "FieldValueDuplicate"))
            {
                errs.Add(FieldError.NotSupported(at + ".reason", GoFormat.Quote(reason), ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]));
            }

            if (rule.OptionalOldSelf == true && !KubernetesCelLibrary.UsesOldSelf(rule.Rule))
            {
                errs.Add(FieldError.Invalid(at + ".optionalOldSelf", "true", "may not be set if oldSelf is not used in rule"));
            }
        }
    }

    /// <summary>upstream <c>structuraldefaulting.ValidateDefaults</c>: a default must survive pruning and validate.</summary>
    private static void Defaults(SchemaNode s, string path, bool embeddedOrRoot, bool insideMeta, List<FieldError> errs)
    {
        if (s.EmbeddedResource)
        {
            insideMeta = false;
        }

        if (s.HasDefault && s.Default is not null && !insideMeta)
        {
            var at = path + ".default";
            var pruned = s.Default.DeepClone();
            SchemaPruner.Prune(pruned, s);
            if (!JsonEquality.Equal(pruned, s.Default))
            {
                errs.Add(FieldError.Invalid(at, GoValue.BadValue(s.Default), "must not have unknown fields"));
            }

            var found = new List<FieldError>();
            OpenApiValueValidator.Validate(s, s.Default.DeepClone(), "", found);
            foreach (var e in found)
            {
                errs.Add(e with { Field = e.Field is "<nil>" or "" ? at : at + "." + e.Field });
            }
        }

        if (s.Items is { } items)
        {
            Defaults(items, path + ".items", false, insideMeta, errs);
        }

        foreach (var (k, sub) in s.Properties ?? new Dictionary<string, SchemaNode>())
        {
            var subInsideMeta = insideMeta || ((embeddedOrRoot || s.EmbeddedResource) && MetaFields.Contains(k));
            Defaults(sub, StructuralSchemaValidation.Key(path, k), false, subInsideMeta, errs);
        }
    }
}
