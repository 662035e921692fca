using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Serialization;

/// <summary>
/// JSON as block-style YAML, the one writer of the API server's <c>Accept: application/yaml</c> responses and the
/// client's CRD manifests: two-space indented, sequences under a key not indented (as kubectl and controller-gen
/// write). A string is written plain unless YAML would read it as something else, as go-yaml's encoder decides
/// (<c>resolve</c>): numbers in any YAML 1.1 form (hex, octal, underscores, <c>.inf</c>, <c>.nan</c>), booleans and
/// null in any case (YAML 1.1's yes/no/on/off/y/n too), and strings with YAML's indicator or control characters or
/// leading or trailing space are double-quoted with JSON escapes, which YAML reads the same.
/// </summary>
public static class YamlWriter
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The YAML text of <paramref name="node"/>, ending in a newline.</summary>
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    /// <summary>Appends the YAML text of <paramref name="node"/>, ending in a newline, to <paramref name="sb"/>.</summary>
    public static void Write(StringBuilder sb, JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(sb);
        switch (node)
        {
            case JsonObject { Count: > 0 } or JsonArray { Count: > 0 }:
                Block(sb, node, 0, inline: false);
                break;
            default:
                sb.Append(Leaf(node)).Append('\n');
                break;
        }
    }

    /// <summary>
    /// A string as a YAML scalar: plain when YAML reads it back as that string, otherwise double-quoted (a JSON string,
    /// non-ASCII characters kept as they are).
    /// </summary>
    public static string Scalar(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return IsPlain(s) ? s : JsonSerializer.Serialize(s, Relaxed);
    }

    private static bool IsPlain(string s) =>
        s.Length > 0
        && !s.Any(c => c is ':' or '#' or '\n' or '\r' or '"' or '\'' or '{' or '}' or '[' or ']' or ',' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' or '\\' or '\t' || char.IsControl(c))
        && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1]) && s[0] is not ('-' or '?')
        && s.ToLowerInvariant() is not ("true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off" or "y" or "n" or ".inf" or "+.inf" or ".nan")
        && !(char.IsAsciiDigit(s[0]) && s.All(c => char.IsAsciiDigit(c) || c is '_' or '-' or '.' or 'e' or 'E' or '+'))
        && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        && !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !s.StartsWith("0o", StringComparison.OrdinalIgnoreCase);

    private static void Block(StringBuilder sb, JsonNode node, int indent, bool inline)
    {
        var first = true;
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                if (!(first && inline))
                {
                    sb.Append(' ', indent);
                }

                first = false;
                sb.Append(Scalar(k)).Append(':');
                switch (v)
                {
                    case JsonObject { Count: > 0 }:
                        sb.Append('\n');
                        Block(sb, v, indent + 2, inline: false);
                        break;
                    case JsonArray { Count: > 0 }:
                        sb.Append('\n');
                        Block(sb, v, indent, inline: false);
                        break;
                    default:
                        sb.Append(' ').Append(Leaf(v)).Append('\n');
                        break;
                }
            }

            return;
        }

        foreach (var v in (JsonArray)node)
        {
            if (!(first && inline))
            {
                sb.Append(' ', indent);
            }

            first = false;
            sb.Append("- ");
            if (v is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
            {
                Block(sb, v, indent + 2, inline: true);
            }
            else
            {
                sb.Append(Leaf(v)).Append('\n');
            }
        }
    }

    private static string Leaf(JsonNode? v) => v switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue jv when jv.GetValueKind() == JsonValueKind.String => Scalar(jv.GetValue<string>()),
        JsonValue jv => jv.ToJsonString(),
        _ => "null",
    };
}
