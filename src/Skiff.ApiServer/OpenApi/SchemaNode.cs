using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// One OpenAPI v3 schema (a named component or a property's inline schema) with its <c>$ref</c> resolved against a
/// <see cref="SchemaSet"/>. Structure (properties, items, additionalProperties) comes from the referenced schema;
/// the list/patch extensions come from this schema first (upstream puts them on the property), then the
/// referenced one. Children are resolved lazily and cached, so recursive schemas (JSONSchemaProps) are fine.
/// Instances are immutable once built and safe to share between threads.
/// </summary>
public sealed class SchemaNode : IStrategicMergeSchema
{
    private readonly SchemaSet _set;
    private readonly JsonObject _schema;
    private readonly Lazy<SchemaNode?> _target;
    private readonly Lazy<IReadOnlyDictionary<string, SchemaNode>> _properties;
    private readonly Lazy<SchemaNode?> _items;
    private readonly Lazy<SchemaNode?> _additional;

    internal SchemaNode(SchemaSet set, JsonObject schema)
    {
        _set = set;
        _schema = schema;
        _target = new Lazy<SchemaNode?>(() => RefName is { } r ? set.Named(r) : null);
        _properties = new Lazy<IReadOnlyDictionary<string, SchemaNode>>(BuildProperties);
        _items = new Lazy<SchemaNode?>(() => Structural._schema["items"] is JsonObject o ? new SchemaNode(_set, o) : null);
        _additional = new Lazy<SchemaNode?>(() => Structural._schema["additionalProperties"] is JsonObject o ? new SchemaNode(_set, o) : null);
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
    public string? Type => Structural._schema["type"]?.GetValue<string>();

    /// <summary>
    /// True when fields below this point are not checked: <c>x-kubernetes-preserve-unknown-fields</c>, a schema with
    /// no type (any JSON), an int-or-string/quantity (oneOf), an embedded object (RawExtension: an object schema
    /// with neither properties nor additionalProperties), or a ref that cannot be resolved.
    /// </summary>
    public bool AcceptsUnknownFields
    {
        get
        {
            if (Flag("x-kubernetes-preserve-unknown-fields") || Flag("x-kubernetes-int-or-string") || (RefName is not null && _target.Value is null))
            {
                return true;
            }

            var s = Structural._schema;
            return s["type"] is null
                || (s["type"]!.GetValue<string>() == "object" && s["properties"] is null && s["additionalProperties"] is null);
        }
    }

    /// <summary>
    /// <c>x-kubernetes-embedded-resource</c> (CRD schemas): the object is a whole resource, so its <c>apiVersion</c>,
    /// <c>kind</c> and <c>metadata</c> are implied even when the schema does not list them.
    /// </summary>
    public bool EmbeddedResource => Flag("x-kubernetes-embedded-resource");

    /// <inheritdoc />
    public string? PatchMergeKey => Extension("x-kubernetes-patch-merge-key");

    /// <inheritdoc />
    public string? PatchStrategy => Extension("x-kubernetes-patch-strategy");

    /// <inheritdoc />
    public string? ListType => Extension("x-kubernetes-list-type");

    /// <summary><c>x-kubernetes-map-type</c> (<c>atomic</c> or <c>granular</c>), or null.</summary>
    public string? MapType => Extension("x-kubernetes-map-type");

    /// <inheritdoc />
    public IReadOnlyList<string> ListMapKeys =>
        (_schema["x-kubernetes-list-map-keys"] ?? _target.Value?._schema["x-kubernetes-list-map-keys"]) is JsonArray keys
            ? keys.Select(k => k!.GetValue<string>()).ToArray()
            : [];

    /// <summary>The raw schema JSON (do not modify).</summary>
    public JsonObject Json => _schema;

    IStrategicMergeSchema? IStrategicMergeSchema.Items => Items;

    /// <inheritdoc />
    public IStrategicMergeSchema? Field(string name) => Property(name);

    /// <summary>The schema of field <paramref name="name"/>, or of any map value; null when not declared.</summary>
    public SchemaNode? Property(string name) =>
        Properties.TryGetValue(name, out var p) ? p : AdditionalProperties;

    private SchemaNode Structural => _target.Value ?? this;

    private string? Extension(string key) =>
        (_schema[key] ?? _target.Value?._schema[key]) is JsonValue v ? v.GetValue<string>() : null;

    private bool Flag(string key) =>
        (_schema[key] ?? _target.Value?._schema[key]) is JsonValue v && v.TryGetValue<bool>(out var b) && b;

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
}
