using System.Text.Json.Nodes;
using Skiff.Api.Patch;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// One OpenAPI v3 schema (a named component or a property's inline schema) with its <c>$ref</c> resolved against a
/// <see cref="SchemaSet"/>. Structure (properties, items, additionalProperties) comes from the referenced schema;
/// the list/patch extensions come from this schema first (upstream puts them on the property), then the
/// referenced one. Children are resolved lazily and cached, so recursive schemas (JSONSchemaProps) are fine.
/// Instances are immutable once built and safe to share between threads.
/// </summary>
public sealed class SchemaNode : IPatchSchema
{
    private readonly SchemaSet _set;
    private readonly JsonObject _schema;
    private readonly Lazy<SchemaNode?> _target;
    private readonly Lazy<IReadOnlyDictionary<string, SchemaNode>> _properties;
    private readonly Lazy<SchemaNode?> _items;
    private readonly Lazy<SchemaNode?> _additional;
    private readonly Lazy<Info> _info;

    internal SchemaNode(SchemaSet set, JsonObject schema)
    {
        _set = set;
        _schema = schema;
        _target = new Lazy<SchemaNode?>(() => RefName is { } r ? set.Named(r) : null);
        _properties = new Lazy<IReadOnlyDictionary<string, SchemaNode>>(BuildProperties);
        _items = new Lazy<SchemaNode?>(() => Structural._schema["items"] is JsonObject o ? new SchemaNode(_set, o) : null);
        _additional = new Lazy<SchemaNode?>(() => Structural._schema["additionalProperties"] is JsonObject o ? new SchemaNode(_set, o) : null);
        _info = new Lazy<Info>(BuildInfo);
    }

    /// <summary>The referenced component name (from <c>$ref</c>), or null for an inline schema.</summary>
    public string? RefName =>
        _schema["$ref"]?.GetValue<string>() is { } r && r.StartsWith(SchemaSet.RefPrefix, StringComparison.Ordinal)
            ? r[SchemaSet.RefPrefix.Length..]
            : null;

    /// <summary>The declared properties of an object schema (empty for non-objects).</summary>
    public IReadOnlyDictionary<string, SchemaNode> Properties => _properties.Value;

    /// <summary>The schema of a map's values (<c>additionalProperties</c>), or null.</summary>
    public SchemaNode? AdditionalProperties => _additional.Value;

    /// <summary>The schema of a list's elements.</summary>
    public SchemaNode? Items => _items.Value;

    /// <summary>The JSON type (<c>object</c>, <c>array</c>, <c>string</c>, …), or null when any value is allowed.</summary>
    public string? Type => _info.Value.Type;

    /// <summary>The <c>format</c> (<c>int32</c>, <c>int64</c>, <c>date-time</c>, <c>byte</c>, <c>int-or-string</c>, …), or null.</summary>
    public string? Format => _info.Value.Format;

    /// <summary>The types a <c>oneOf</c> schema allows (Quantity: string or number; IntOrString: integer or string); empty otherwise.</summary>
    public IReadOnlyList<string> OneOfTypes => _info.Value.OneOfTypes;

    /// <summary>
    /// True when fields below this point are not checked: <c>x-kubernetes-preserve-unknown-fields</c>,
    /// <c>x-kubernetes-int-or-string</c>, a schema with no type (any JSON), an int-or-string/quantity (oneOf), an
    /// embedded object (RawExtension: an object schema with neither properties nor additionalProperties), or a ref
    /// that cannot be resolved.
    /// </summary>
    public bool AcceptsUnknownFields => _info.Value.AcceptsUnknownFields;

    /// <summary>
    /// <c>x-kubernetes-embedded-resource</c> (CRD schemas): the object is a whole resource, so its <c>apiVersion</c>,
    /// <c>kind</c> and <c>metadata</c> are implied even when the schema does not list them.
    /// </summary>
    public bool EmbeddedResource => _info.Value.EmbeddedResource;

    /// <inheritdoc />
    public string? PatchMergeKey => _info.Value.PatchMergeKey;

    /// <summary><c>x-kubernetes-patch-strategy</c> as written (<c>merge</c>, <c>merge,retainKeys</c>), or null.</summary>
    public string? PatchStrategy => _info.Value.PatchStrategy;

    /// <inheritdoc />
    public IReadOnlyList<string> PatchStrategies => _info.Value.PatchStrategies;

    /// <inheritdoc />
    public string? ListType => _info.Value.ListType;

    /// <inheritdoc />
    public string? MapType => _info.Value.MapType;

    /// <inheritdoc />
    public bool IsMap => _info.Value.Type == "object" && Structural._schema["additionalProperties"] is JsonObject && Structural._schema["properties"] is null;

    /// <inheritdoc />
    public IReadOnlyList<string> ListMapKeys => _info.Value.ListMapKeys;

    /// <summary>The raw schema JSON (do not modify).</summary>
    public JsonObject Json => _schema;

    IPatchSchema? IPatchSchema.Items => Items;

    /// <inheritdoc />
    public IPatchSchema? Field(string name) => Property(name);

    /// <summary>The schema of field <paramref name="name"/>, or of any map value; null when not declared.</summary>
    public SchemaNode? Property(string name) =>
        Properties.TryGetValue(name, out var p) ? p : AdditionalProperties;

    private SchemaNode Structural => _target.Value ?? this;

    private string? Extension(string key) =>
        (_schema[key] ?? _target.Value?._schema[key]) is JsonValue v ? v.GetValue<string>() : null;

    private bool Flag(string key) =>
        (_schema[key] ?? _target.Value?._schema[key]) is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private Info BuildInfo()
    {
        var s = Structural._schema;
        var type = s["type"] is JsonValue t ? t.GetValue<string>() : null;
        var accepts = Flag("x-kubernetes-preserve-unknown-fields") || Flag("x-kubernetes-int-or-string")
            || (RefName is not null && _target.Value is null)
            || type is null
            || (type == "object" && s["properties"] is null && s["additionalProperties"] is null);
        var keys = (_schema["x-kubernetes-list-map-keys"] ?? _target.Value?._schema["x-kubernetes-list-map-keys"]) is JsonArray a
            ? a.Select(k => k!.GetValue<string>()).ToArray()
            : [];
        var strategy = Extension("x-kubernetes-patch-strategy");
        var strategies = strategy?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var format = s["format"] is JsonValue f && f.TryGetValue<string>(out var fs) ? fs : null;
        var oneOf = s["oneOf"] is JsonArray one
            ? one.Select(o => o?["type"] is JsonValue ot && ot.TryGetValue<string>(out var ts) ? ts : null).OfType<string>().ToArray()
            : [];
        return new Info(type, accepts, Flag("x-kubernetes-embedded-resource"), Extension("x-kubernetes-patch-merge-key"),
            strategy, strategies, Extension("x-kubernetes-list-type"), Extension("x-kubernetes-map-type"), keys, format, oneOf);
    }

    private IReadOnlyDictionary<string, SchemaNode> BuildProperties()
    {
        if (Structural._schema["properties"] is not JsonObject props)
        {
            return new Dictionary<string, SchemaNode>();
        }

        var result = new Dictionary<string, SchemaNode>(props.Count, StringComparer.Ordinal);
        foreach (var (name, value) in props)
        {
            if (value is JsonObject o)
            {
                result[name] = new SchemaNode(_set, o);
            }
        }

        return result;
    }

    private sealed record Info(string? Type, bool AcceptsUnknownFields, bool EmbeddedResource, string? PatchMergeKey,
        string? PatchStrategy, IReadOnlyList<string> PatchStrategies, string? ListType, string? MapType, IReadOnlyList<string> ListMapKeys,
        string? Format, IReadOnlyList<string> OneOfTypes);
}
