using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources.Schema;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// Binds a JSON value to the CEL value the <c>Cel</c> package evaluates. Two bindings, one walk:
/// <list type="bullet">
/// <item><see cref="ToCel(JsonNode?, SchemaNode?)"/>, typed by a CRD schema as upstream's
/// <c>apiextensions/pkg/apiserver/schema/cel/model</c> does: property names escaped (<c>__dash__</c>, <c>__dot__</c>,
/// <c>__slash__</c>, <c>__underscores__</c>, reserved words), map keys (additionalProperties) kept, strings of format
/// date-time/duration become timestamp/duration;</item>
/// <item><see cref="ToCel(JsonNode?)"/>, untyped as upstream's admission CEL binds unstructured objects
/// (ValidatingAdmissionPolicy, webhook matchConditions): every key kept as written, so
/// <c>object.metadata.labels['app.kubernetes.io/name']</c> reads the label.</item>
/// </list>
/// Both make objects string-keyed dictionaries, lists arrays, integers int64 and other numbers double.
/// </summary>
internal static class CelValues
{
    private static readonly HashSet<string> Reserved =
    [
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ];

    /// <summary>The CEL value of <paramref name="v"/> with no schema: keys kept as written (admission CEL).</summary>
    public static object? ToCel(JsonNode? v) => Bind(v, null, escape: false);

    /// <summary>
    /// The CEL value of <paramref name="v"/> under CRD schema <paramref name="s"/>; below a node without a schema
    /// (preserved unknown fields, embedded resources) property names are still escaped, as upstream.
    /// </summary>
    public static object? ToCel(JsonNode? v, SchemaNode? s) => Bind(v, s, escape: true);

    private static object? Bind(JsonNode? v, SchemaNode? s, bool escape)
    {
        switch (v)
        {
            case null:
                return null;
            case JsonObject o:
                var d = new Dictionary<string, object?>(o.Count, StringComparer.Ordinal);
                foreach (var (k, child) in o)
                {
                    if (s?.Properties is { } props && props.TryGetValue(k, out var prop))
                    {
                        d[Escape(k)] = Bind(child, prop, escape);
                    }
                    else if (s?.AdditionalProperties is { } additional)
                    {
                        d[k] = Bind(child, additional, escape);
                    }
                    else if (s is null || s.Preserves || s.EmbeddedResource)
                    {
                        d[escape ? Escape(k) : k] = Bind(child, null, escape);
                    }
                }

                return d;
            case JsonArray a:
                var arr = new object?[a.Count];
                for (var i = 0; i < a.Count; i++)
                {
                    arr[i] = Bind(a[i], s?.Items, escape);
                }

                return arr;
            case JsonValue value:
                return Scalar(value, s);
            default:
                return null;
        }
    }

    private static object? Scalar(JsonValue value, SchemaNode? s)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                var str = value.GetValue<string>();
                if (s is { Type: "string", Format: "date-time" or "datetime" } &&
                    DateTimeOffset.TryParse(str, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ts))
                {
                    return ts;
                }

                if (s is { Type: "string", Format: "duration" } && TryDuration(str, out var duration))
                {
                    return Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(duration);
                }

                return str;
            case JsonValueKind.Number:
                if (GoValue.IsInteger(value, out var l))
                {
                    return s?.Type == "number" ? (object)(double)l : l;
                }

                return GoValue.AsDouble(value);
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>Escapes a property name as upstream does so that it is a CEL identifier.</summary>
    public static string Escape(string name)
    {
        if (Reserved.Contains(name))
        {
            return "__" + name + "__";
        }

        var sb = new System.Text.StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' && i + 1 < name.Length && name[i + 1] == '_')
            {
                sb.Append("__underscores__");
                i++;
            }
            else
            {
                sb.Append(c switch
                {
                    '.' => "__dot__",
                    '-' => "__dash__",
                    '/' => "__slash__",
                    _ => c.ToString(),
                });
            }
        }

        return sb.ToString();
    }

    private static bool TryDuration(string s, out TimeSpan d)
    {
        d = TimeSpan.Zero;
        var m = System.Text.RegularExpressions.Regex.Matches(s, @"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)");
        if (m.Count == 0 || string.Concat(m.Select(x => x.Value)) != s.TrimStart('-'))
        {
            return false;
        }

        double ticks = 0;
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            var n = double.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += x.Groups[2].Value switch
            {
                "ns" => n / 100,
                "us" or "µs" => n * 10,
                "ms" => n * TimeSpan.TicksPerMillisecond,
                "s" => n * TimeSpan.TicksPerSecond,
                "m" => n * TimeSpan.TicksPerMinute,
                _ => n * TimeSpan.TicksPerHour,
            };
        }

        d = TimeSpan.FromTicks((long)(s.StartsWith('-') ? -ticks : ticks));
        return true;
    }
}
