using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Checks the JSON types of an object's fields against its schema, as upstream's decoding into Go structs does: a
/// value of the wrong JSON type, an integer out of its Go type's range or with a fraction, a float out of range, a
/// time that is not RFC 3339, a <c>byte</c> string that is not base64 are decoding errors (400 BadRequest, before any
/// strategy sees the object), never values a strategy has to cope with. Null is every type's zero, as in Go. Fields
/// the schema does not declare are not looked at (they are unknown fields, see <see cref="UnknownFieldDetector"/>),
/// nor is anything below a schema that accepts any JSON (RawExtension, FieldsV1, preserve-unknown-fields).
/// </summary>
public static partial class FieldTypeChecker
{
    /// <summary>
    /// The first type error of <paramref name="obj"/> under <paramref name="schema"/> (null: a kind without schema,
    /// only <c>metadata</c> is checked, against <paramref name="objectMeta"/>), in Go's words:
    /// <c>json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string</c>;
    /// null when every field has its type.
    /// </summary>
    public static string? FindFirst(SchemaNode? schema, JsonObject obj, SchemaNode? objectMeta)
    {
        var path = new List<string>();
        foreach (var (key, value) in obj)
        {
            var field = schema?.Properties.GetValueOrDefault(key);
            if (field is null && key == "metadata")
            {
                field = objectMeta;
            }

            if (field is null)
            {
                continue;
            }

            path.Add(key);
            var error = Check(field, value, path, StructName(schema) ?? "", 1);
            path.RemoveAt(path.Count - 1);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? Check(SchemaNode schema, JsonNode? value, List<string> path, string owner, int depth)
    {
        if (value is null || depth > 200)
        {
            return null;
        }

        var kind = value.GetValueKind();
        if (schema.Type is null)
        {
            // int-or-string, Quantity (oneOf), or any JSON (RawExtension, preserve-unknown-fields).
            var allowed = schema.OneOfTypes;
            if (allowed.Count == 0 || allowed.Any(t => Matches(t, kind)))
            {
                return kind == JsonValueKind.Number && allowed.Contains("integer") && !allowed.Contains("number")
                    ? CheckInteger(value, "int32", path, owner)
                    : null;
            }

            return Mismatch(kind, path, owner, schema.Format == "int-or-string" ? "intstr.IntOrString" : "resource.Quantity");
        }

        if (!Matches(schema.Type, kind))
        {
            return Mismatch(kind, path, owner, GoType(schema));
        }

        switch (schema.Type)
        {
            case "integer":
                return CheckInteger(value, schema.Format ?? "int64", path, owner);
            case "number":
                return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? null
                    : $"json: cannot unmarshal number {value.ToJsonString()} into Go struct field {Field(owner, path)} of type float64";
            case "string" when schema.Format == "date-time":
                var text = value.GetValue<string>();
                return IsRfc3339(text)
                    ? null
                    : $"parsing time \"{text}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"{text}\" as \"2006\"";
            case "string" when schema.Format == "byte":
                var encoded = value.GetValue<string>();
                return IsBase64(encoded, out var at) ? null : $"illegal base64 data at input byte {at}";
            case "object" when schema.AcceptsUnknownFields:
                return null;
            case "object":
            {
                var fieldOwner = StructName(schema) ?? owner;
                foreach (var (key, child) in value.AsObject())
                {
                    var field = schema.Properties.GetValueOrDefault(key) ?? schema.AdditionalProperties;
                    if (field is null)
                    {
                        continue;
                    }

                    path.Add(key);
                    var error = Check(field, child, path, fieldOwner, depth + 1);
                    path.RemoveAt(path.Count - 1);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            }

            case "array" when schema.Items is { } items:
                foreach (var item in value.AsArray())
                {
                    var error = Check(items, item, path, owner, depth + 1);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? CheckInteger(JsonNode value, string format, List<string> path, string owner)
    {
        var text = value.ToJsonString();
        var ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            && (format != "int32" || n is >= int.MinValue and <= int.MaxValue);
        return ok ? null : $"json: cannot unmarshal number {text} into Go struct field {Field(owner, path)} of type {format}";
    }

    private static bool Matches(string type, JsonValueKind kind) => type switch
    {
        "string" => kind == JsonValueKind.String,
        "integer" or "number" => kind == JsonValueKind.Number,
        "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
        "object" => kind == JsonValueKind.Object,
        "array" => kind == JsonValueKind.Array,
        _ => true,
    };

    private static string Mismatch(JsonValueKind kind, List<string> path, string owner, string goType)
    {
        var what = kind switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Array => "array",
            _ => "object",
        };
        return $"json: cannot unmarshal {what} into Go struct field {Field(owner, path)} of type {goType}";
    }

    private static string Field(string owner, List<string> path) =>
        owner.Length == 0 ? string.Join('.', path) : owner + "." + string.Join('.', path);

    /// <summary>The Go type of a schema, as Go's errors name it: <c>string</c>, <c>int32</c>, <c>map[string]string</c>, <c>[]v1.Container</c>, <c>v1.PodSpec</c>.</summary>
    private static string GoType(SchemaNode schema) => schema.Type switch
    {
        "string" => "string",
        "integer" => schema.Format ?? "int64",
        "number" => "float64",
        "boolean" => "bool",
        "array" => "[]" + (schema.Items is { } items ? GoType(items) : "interface {}"),
        "object" when schema.Properties.Count == 0 && schema.AdditionalProperties is { } values => "map[string]" + GoType(values),
        "object" => QualifiedName(schema) ?? "map[string]interface {}",
        _ => "interface {}",
    };

    /// <summary>The short Go struct name of a schema's component (<c>ObjectMeta</c>), or null for an inline schema.</summary>
    private static string? StructName(SchemaNode? schema) =>
        schema?.RefName is { } r ? r[(r.LastIndexOf('.') + 1)..] : null;

    /// <summary><c>v1.ObjectMeta</c> from <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>.</summary>
    private static string? QualifiedName(SchemaNode schema)
    {
        if (schema.RefName is not { } r)
        {
            return null;
        }

        var parts = r.Split('.');
        return parts.Length >= 2 ? parts[^2] + "." + parts[^1] : r;
    }

    private static bool IsRfc3339(string s) =>
        Rfc3339().IsMatch(s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsBase64(string s, out int invalidAt)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '\r' or '\n'))
            {
                invalidAt = i;
                return false;
            }
        }

        invalidAt = s.Length;
        var buffer = new byte[(s.Length / 4 * 3) + 3];
        return Convert.TryFromBase64String(s, buffer, out _);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
