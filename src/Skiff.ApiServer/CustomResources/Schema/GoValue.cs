using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// Prints JSON values the way upstream's Go code does in CRD error texts: <c>field.Error</c>'s bad value (<c>%v</c>
/// for numbers and bools, <c>%q</c> for strings, <c>%#v</c> for maps and slices) and <c>%v</c> of a float64 limit.
/// </summary>
internal static class GoValue
{
    /// <summary>The bad value of a field error for <paramref name="v"/>.</summary>
    public static string BadValue(JsonNode? v) => v switch
    {
        null => "null",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => GoFormat.Quote(value.GetValue<string>()),
            JsonValueKind.Number => Number(value),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        },
        _ => SharpV(v),
    };

    /// <summary>Go's <c>%#v</c> of an unstructured value (map[string]interface {}, []interface {}, int64, float64...).</summary>
    public static string SharpV(JsonNode? v)
    {
        switch (v)
        {
            case null:
                return "interface {}(nil)";
            case JsonObject o:
                var sb = new StringBuilder("map[string]interface {}{");
                var first = true;
                foreach (var (k, child) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(first ? "" : ", ").Append(GoFormat.Quote(k)).Append(':').Append(SharpV(child));
                    first = false;
                }

                return sb.Append('}').ToString();
            case JsonArray a:
                return "[]interface {}{" + string.Join(", ", a.Select(SharpV)) + "}";
            default:
                return BadValue(v);
        }
    }

    /// <summary>A JSON number as the unstructured decoder sees it: int64 when integral in the text, else float64 (<c>%v</c>).</summary>
    public static string Number(JsonValue v)
    {
        if (IsInteger(v, out var l))
        {
            return l.ToString(CultureInfo.InvariantCulture);
        }

        return Float(AsDouble(v));
    }

    /// <summary>True when the JSON number decodes to an int64 upstream (no fraction or exponent, in range).</summary>
    public static bool IsInteger(JsonValue v, out long value)
    {
        value = 0;
        if (v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue<JsonElement>(out var element))
        {
            // TryGetInt64 accepts only an integer literal in range: "3.0" and "3e0" are float64 upstream too.
            return element.TryGetInt64(out value);
        }

        var text = v.ToJsonString();
        return text.IndexOfAny(['.', 'e', 'E']) < 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Go's <c>%v</c> of a float64 (<c>strconv.FormatFloat(f, 'g', -1, 64)</c>): <c>10</c>, <c>1.5</c>, <c>1e+06</c>.</summary>
    public static string Float(double f)
    {
        if (double.IsNaN(f))
        {
            return "NaN";
        }

        if (double.IsInfinity(f))
        {
            return f > 0 ? "+Inf" : "-Inf";
        }

        if (f == 0)
        {
            return "0";
        }

        // Shortest round-trip digits and the decimal exponent, from "E16"-free "R" text.
        var r = Math.Abs(f).ToString("E16", CultureInfo.InvariantCulture);
        var shortest = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture);
        var exp = int.Parse(r[(r.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        var digits = new string(shortest.Split('E')[0].Where(char.IsDigit).ToArray()).TrimStart('0').TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var sign = f < 0 ? "-" : "";
        if (exp < -4 || exp >= 6)
        {
            var mant = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            return $"{sign}{mant}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }

        if (exp >= digits.Length - 1)
        {
            return sign + digits + new string('0', exp - digits.Length + 1);
        }

        if (exp >= 0)
        {
            return sign + digits[..(exp + 1)] + "." + digits[(exp + 1)..];
        }

        return sign + "0." + new string('0', -exp - 1) + digits;
    }

    /// <summary>The value of a JSON number as a double, whatever CLR type backs the node (parsed text, int, long, decimal...).</summary>
    public static double AsDouble(JsonValue v) =>
        v.TryGetValue<double>(out var d) ? d : double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A field path as upstream prints it: the empty (nil) path is <c>&lt;nil&gt;</c>.</summary>
    public static string Path(string p) => p.Length == 0 ? "<nil>" : p;

    /// <summary>Joins a child name to a path with a dot (<c>spec</c> + <c>replicas</c>).</summary>
    public static string Child(string p, string name) => p.Length == 0 ? name : p + "." + name;
}
