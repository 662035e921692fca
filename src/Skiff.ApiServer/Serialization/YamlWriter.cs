using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Serialization;

/// <summary>Renders JSON as block-style YAML (for <c>Accept: application/yaml</c>); strings that could read as other types are quoted.</summary>
public static class YamlWriter
{
    /// <summary>The YAML text of <paramref name="node"/>.</summary>
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteNode(sb, node, 0, inline: false);
        if (sb.Length == 0 || sb[^1] != '\n')
        {
            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static void WriteNode(StringBuilder sb, JsonNode? node, int indent, bool inline)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
            {
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!(first && inline))
                    {
                        sb.Append(' ', indent);
                    }

                    first = false;
                    sb.Append(Scalar(k)).Append(':');
                    WriteChild(sb, v, indent);
                }

                break;
            }

            case JsonArray a when a.Count > 0:
            {
                var first = true;
                foreach (var v in a)
                {
                    if (!(first && inline))
                    {
                        sb.Append(' ', indent);
                    }

                    first = false;
                    sb.Append("- ");
                    if (v is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        WriteNode(sb, v, indent + 2, inline: true);
                    }
                    else
                    {
                        sb.Append(Leaf(v)).Append('\n');
                    }
                }

                break;
            }

            default:
                sb.Append(Leaf(node)).Append('\n');
                break;
        }
    }

    private static void WriteChild(StringBuilder sb, JsonNode? v, int indent)
    {
        if (v is JsonObject { Count: > 0 })
        {
            sb.Append('\n');
            WriteNode(sb, v, indent + 2, inline: false);
        }
        else if (v is JsonArray { Count: > 0 })
        {
            sb.Append('\n');
            WriteNode(sb, v, indent, inline: false);
        }
        else
        {
            sb.Append(' ').Append(Leaf(v)).Append('\n');
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

    private static string Scalar(string s)
    {
        var plain = s.Length > 0
            && !s.Any(c => c is ':' or '#' or '\n' or '"' or '\'' or '{' or '}' or '[' or ']' or ',' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' or '\\' or '\t')
            && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1]) && s[0] is not ('-' or '?')
            && s is not ("true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off" or "True" or "False" or "Null" or "NULL" or "TRUE" or "FALSE" or "y" or "n" or "Y" or "N")
            && !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return plain ? s : JsonSerializer.Serialize(s);
    }
}
