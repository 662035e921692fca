using System.Text.Json.Nodes;

namespace Skiff.OpenApiGen;

/// <summary>
/// The protobuf wire-schema facts of Kubernetes 1.32 (<c>../shared/data/k8s-proto-schema-v1.32.json</c>): which Go
/// package defines a message name, which JSON field names a 1.32 type has, and the precise type behind a field the
/// C# models flatten (<c>DateTime</c> is Time or MicroTime; <c>object</c> is RawExtension or FieldsV1).
/// </summary>
internal sealed class ProtoSchemaIndex
{
    private readonly Dictionary<string, Dictionary<string, string>> _messages = new(StringComparer.Ordinal);

    public ProtoSchemaIndex(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!["messages"]!.AsObject();
        foreach (var (name, message) in root)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var f in message?["fields"]?.AsArray() ?? [])
            {
                fields[f!["name"]!.GetValue<string>()] = (f["type"] ?? f["valueType"])!.GetValue<string>();
            }

            _messages[name] = fields;
        }
    }

    /// <summary>True when <paramref name="protoName"/> (<c>k8s.io.api.core.v1.Pod</c>) is a 1.32 message.</summary>
    public bool Has(string protoName) => _messages.ContainsKey(protoName);

    /// <summary>The JSON field names and proto types of a message, or null when 1.32 has no such message.</summary>
    public IReadOnlyDictionary<string, string>? Fields(string protoName) => _messages.GetValueOrDefault(protoName);

    /// <summary>
    /// The JSON fields of a 1.32 message as the JSON form has them (case-insensitive keys, proto type values): fields
    /// of Go structs embedded inline (<c>Volume</c>'s <c>volumeSource</c>, <c>ConfigMapKeySelector</c>'s
    /// <c>localObjectReference</c>) are proto fields of their own but flattened in JSON, so a message-typed field the
    /// model does not have (<paramref name="modelFields"/>) is replaced by the fields of its message. Null when 1.32
    /// has no such message.
    /// </summary>
    public Dictionary<string, string>? JsonFields(string protoName, ISet<string> modelFields)
    {
        if (!_messages.TryGetValue(protoName, out var fields))
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, type) in fields)
        {
            if (!modelFields.Contains(name) && _messages.ContainsKey(type) && JsonFields(type, modelFields) is { } inlined)
            {
                foreach (var (n, t) in inlined)
                {
                    result.TryAdd(n, t);
                }

                continue;
            }

            result.TryAdd(name, type);
        }

        return result;
    }

    /// <summary>Converts a proto type name to the upstream OpenAPI schema name (<c>k8s.io.x</c> → <c>io.k8s.x</c>).</summary>
    public static string ToSchemaName(string protoName) =>
        protoName.StartsWith("k8s.io.", StringComparison.Ordinal) ? "io.k8s." + protoName["k8s.io.".Length..] : protoName;
}
