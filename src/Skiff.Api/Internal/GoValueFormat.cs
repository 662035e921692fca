using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Internal;

/// <summary>Go's <c>%v</c> of a decoded JSON value (<c>map[k:v]</c>, <c>[a b]</c>, <c>&lt;nil&gt;</c>), for upstream error texts.</summary>
internal static class GoValueFormat
{
    public static string Format(JsonNode? n)
    {
        var sb = new StringBuilder();
        Write(sb, n);
        return sb.ToString();
    }

    public static string Format(IEnumerable<JsonNode?> list) => "[" + string.Join(" ", list.Select(Format)) + "]";

    private static void Write(StringBuilder sb, JsonNode? n)
    {
        switch (JsonEquality.Kind(n))
        {
            case JsonValueKind.Null:
                sb.Append("<nil>");
                break;
            case JsonValueKind.String:
                sb.Append(n!.GetValue<string>());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Number:
                sb.Append(FormatFloat(double.Parse(n!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)n!)
                {
                    if (!first)
                    {
                        sb.Append(' ');
                    }

                    first = false;
                    Write(sb, item);
                }

                sb.Append(']');
                break;
            case JsonValueKind.Object:
                sb.Append("map[");
                var firstKey = true;
                foreach (var (k, v) in ((JsonObject)n!).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (!firstKey)
                    {
                        sb.Append(' ');
                    }

                    firstKey = false;
                    sb.Append(k).Append(':');
                    Write(sb, v);
                }

                sb.Append(']');
                break;
        }
    }

    /// <summary>Go's <c>%v</c> of a float64: shortest digits, exponent form when the exponent is &lt; -4 or ≥ 6 (strconv's shortest 'g' rule).</summary>
    public static string FormatFloat(double d)
    {
        if (d == 0)
        {
            return "0";
        }

        var shortest = d.ToString("R", CultureInfo.InvariantCulture);
        // Extract digits and decimal exponent from the shortest round-trip form.
        var neg = shortest.StartsWith('-');
        var s = neg ? shortest[1..] : shortest;
        var exp = 0;
        var ei = s.IndexOfAny(new[] { 'E', 'e' });
        if (ei >= 0)
        {
            exp = int.Parse(s[(ei + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..ei];
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var frac = dot >= 0 ? s[(dot + 1)..] : "";
        var digits = (intPart + frac).TrimStart('0');
        var leadingZeros = (intPart + frac).Length - digits.Length;
        var dp = intPart.Length + exp - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var x = dp - 1;
        string result;
        if (x < -4 || x >= 6)
        {
            var mant = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            result = mant + "e" + (x < 0 ? "-" : "+") + Math.Abs(x).ToString("00", CultureInfo.InvariantCulture);
        }
        else if (dp <= 0)
        {
            result = "0." + new string('0', -dp) + digits;
        }
        else if (dp >= digits.Length)
        {
            result = digits + new string('0', dp - digits.Length);
        }
        else
        {
            result = digits[..dp] + "." + digits[dp..];
        }

        return (neg ? "-" : "") + result;
    }
}
