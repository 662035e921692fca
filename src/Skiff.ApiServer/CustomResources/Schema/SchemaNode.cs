using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// One node of a CRD's <c>openAPIV3Schema</c>, parsed once (upstream apiextensions' <c>JSONSchemaProps</c> and the
/// structural view built from it). Immutable after <see cref="Parse"/>; shared by every request.
/// </summary>
internal sealed class SchemaNode
{
    /// <summary>The <c>type</c>; empty when unset.</summary>
    public string Type { get; private init; } = "";

    public bool Nullable { get; private init; }
    public string Format { get; private init; } = "";
    public double? Maximum { get; private init; }
    public double? Minimum { get; private init; }
    public bool ExclusiveMaximum { get; private init; }
    public bool ExclusiveMinimum { get; private init; }
    public long? MaxLength { get; private init; }
    public long? MinLength { get; private init; }
    public string? Pattern { get; private init; }

    /// <summary>The compiled <see cref="Pattern"/>, or null when it is unset or does not compile.</summary>
    public Regex? PatternRegex { get; private init; }

    public long? MaxItems { get; private init; }
    public long? MinItems { get; private init; }
    public bool UniqueItems { get; private init; }
    public double? MultipleOf { get; private init; }
    public long? MaxProperties { get; private init; }
    public long? MinProperties { get; private init; }
    public IReadOnlyList<string> Required { get; private init; } = [];
    public JsonNode? Default { get; private init; }
    public bool HasDefault { get; private init; }
    public JsonArray? Enum { get; private init; }
    public IReadOnlyList<SchemaNode> AllOf { get; private init; } = [];
    public IReadOnlyList<SchemaNode> OneOf { get; private init; } = [];
    public IReadOnlyList<SchemaNode> AnyOf { get; private init; } = [];
    public SchemaNode? Not { get; private init; }

    /// <summary>The <c>properties</c>, in document order; null when absent.</summary>
    public IReadOnlyDictionary<string, SchemaNode>? Properties { get; private init; }

    /// <summary>The <c>additionalProperties</c> schema; <see cref="AdditionalPropertiesAllowed"/> carries the bool form.</summary>
    public SchemaNode? AdditionalProperties { get; private init; }

    /// <summary>null when <c>additionalProperties</c> is absent or a schema, else its bool value.</summary>
    public bool? AdditionalPropertiesAllowed { get; private init; }

    public SchemaNode? Items { get; private init; }
    public bool? PreserveUnknownFields { get; private init; }
    public bool EmbeddedResource { get; private init; }
    public bool IntOrString { get; private init; }
    public string? ListType { get; private init; }
    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];
    public string? MapType { get; private init; }
    public IReadOnlyList<ValidationRule> Validations { get; private init; } = [];

    /// <summary>The raw JSON this node came from.</summary>
    public JsonObject Raw { get; private init; } = [];

    /// <summary>True when unknown fields below this node are kept.</summary>
    public bool Preserves => PreserveUnknownFields == true;

    /// <summary>The type a value of this node has in messages and CEL (<c>object</c>, <c>string</c>…), with int-or-string as upstream.</summary>
    public string TypeForMessages => IntOrString ? "integer,string" : Type;

    /// <summary>Parses a schema node; malformed members are ignored (the CRD's own validation reports them).</summary>
    public static SchemaNode Parse(JsonObject o)
    {
        string? pattern = Str(o, "pattern");
        Regex? regex = null;
        if (pattern is not null)
        {
            try
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                regex = null;
            }
        }

        var additional = o["additionalProperties"];
        return new SchemaNode
        {
            Raw = o,
            Type = Str(o, "type") ?? "",
            Nullable = Bool(o, "nullable") == true,
            Format = Str(o, "format") ?? "",
            Maximum = Num(o, "maximum"),
            Minimum = Num(o, "minimum"),
            ExclusiveMaximum = Bool(o, "exclusiveMaximum") == true,
            ExclusiveMinimum = Bool(o, "exclusiveMinimum") == true,
            MaxLength = Int(o, "maxLength"),
            MinLength = Int(o, "minLength"),
            Pattern = pattern,
            PatternRegex = regex,
            MaxItems = Int(o, "maxItems"),
            MinItems = Int(o, "minItems"),
            UniqueItems = Bool(o, "uniqueItems") == true,
            MultipleOf = Num(o, "multipleOf"),
            MaxProperties = Int(o, "maxProperties"),
            MinProperties = Int(o, "minProperties"),
            Required = o["required"] is JsonArray req ? req.Select(r => r?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)r! : "").Where(s => s.Length > 0).ToList() : [],
            HasDefault = o.ContainsKey("default"),
            Default = o["default"],
            Enum = o["enum"] as JsonArray,
            AllOf = List(o, "allOf"),
            OneOf = List(o, "oneOf"),
            AnyOf = List(o, "anyOf"),
            Not = o["not"] is JsonObject not ? Parse(not) : null,
            Properties = o["properties"] is JsonObject props
                ? props.Where(p => p.Value is JsonObject).ToDictionary(p => p.Key, p => Parse(p.Value!.AsObject()), StringComparer.Ordinal)
                : null,
            AdditionalProperties = additional is JsonObject ap ? Parse(ap) : null,
            AdditionalPropertiesAllowed = additional is JsonValue av && av.TryGetValue<bool>(out var allowed) ? allowed : null,
            Items = o["items"] is JsonObject items ? Parse(items) : null,
            PreserveUnknownFields = Bool(o, "x-kubernetes-preserve-unknown-fields"),
            EmbeddedResource = Bool(o, "x-kubernetes-embedded-resource") == true,
            IntOrString = Bool(o, "x-kubernetes-int-or-string") == true,
            ListType = Str(o, "x-kubernetes-list-type"),
            ListMapKeys = o["x-kubernetes-list-map-keys"] is JsonArray keys ? keys.Select(k => k?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)k! : "").ToList() : [],
            MapType = Str(o, "x-kubernetes-map-type"),
            Validations = o["x-kubernetes-validations"] is JsonArray rules
                ? rules.OfType<JsonObject>().Select(ValidationRule.Parse).ToList()
                : [],
        };
    }

    private static List<SchemaNode> List(JsonObject o, string key) =>
        o[key] is JsonArray a ? a.OfType<JsonObject>().Select(Parse).ToList() : [];

    private static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool? Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static double? Num(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? GoValue.AsDouble(v) : null;

    private static long? Int(JsonObject o, string key)
    {
        if (o[key] is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number)
        {
            return null;
        }

        return v.TryGetValue<long>(out var l) ? l : (long)GoValue.AsDouble(v);
    }
}
