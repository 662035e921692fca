using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources.Schema;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// Binds a JSON value to the CEL value the <c>Cel</c> package evaluates, typed by its schema as upstream's
/// <c>apiextensions/pkg/apiserver/schema/cel/model</c> does: objects and maps become string-keyed dictionaries
/// (property names escaped: <c>__dash__</c>, <c>__dot__</c>, <c>__slash__</c>, <c>__underscores__</c>, reserved words),
/// lists become arrays, integers int64, numbers double, and strings of format date-time/duration become
/// timestamp/duration.
/// </summary>
internal static class CelValues
{
    private static readonly HashSet<string> Reserved =
    [
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ];

    /// <summary>The CEL value of <paramref name="v"/> under schema <paramref name="s"/> (null schema: untyped).</summary>
    public static object? ToCel(JsonNode? v, SchemaNode? s)
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
                        d[Escape(k)] = ToCel(child, prop);
                    }
                    else if (s?.AdditionalProperties is { } additional)
                    {
                        d[k] = ToCel(child, additional);
                    }
                    else if (s is null || s.Preserves || s.EmbeddedResource)
                    {
                        d[Escape(k)] = ToCel(child, null);
                    }
                }

                return d;
            case JsonArray a:
                var arr = new object?[a.Count];
                for (var i = 0; i < a.Count; i++)
                {
                    arr[i] = ToCel(a[i], s?.Items);
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
