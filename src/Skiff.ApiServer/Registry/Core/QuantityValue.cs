using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// Reads resource quantities ("500m", "1Gi", "1e3", 2) as exact decimal values so that strategies can compare
/// them (QoS, requests ≤ limits) the way upstream's <c>resource.Quantity</c> does. It does not canonicalise the
/// stored text.
/// </summary>
public static partial class QuantityValue
{
    /// <summary>upstream's quantity grammar (<c>resource.ParseQuantity</c>).</summary>
    public const string Pattern = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

    [GeneratedRegex(Pattern)]
    private static partial Regex Grammar();

    /// <summary>Parses a quantity given as a JSON string or number; false when it is malformed.</summary>
    public static bool TryParse(JsonNode? node, out decimal value)
    {
        value = 0;
        if (JsonPath.AsString(node) is { } s)
        {
            return TryParse(s, out value);
        }

        if (node is JsonValue v && v.TryGetValue<decimal>(out var d))
        {
            value = d;
            return true;
        }

        return false;
    }

    /// <summary>Parses a quantity string; false when it is malformed.</summary>
    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var m = Grammar().Match(text);
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = m.Groups[2].Value;
        decimal multiplier;
        switch (suffix)
        {
            case "": multiplier = 1m; break;
            case "n": multiplier = 1e-9m; break;
            case "u": multiplier = 1e-6m; break;
            case "m": multiplier = 1e-3m; break;
            case "k": multiplier = 1e3m; break;
            case "M": multiplier = 1e6m; break;
            case "G": multiplier = 1e9m; break;
            case "T": multiplier = 1e12m; break;
            case "P": multiplier = 1e15m; break;
            case "E": multiplier = 1e18m; break;
            case "Ki": multiplier = 1024m; break;
            case "Mi": multiplier = 1024m * 1024; break;
            case "Gi": multiplier = 1024m * 1024 * 1024; break;
            case "Ti": multiplier = 1024m * 1024 * 1024 * 1024; break;
            case "Pi": multiplier = 1024m * 1024 * 1024 * 1024 * 1024; break;
            case "Ei": multiplier = 1024m * 1024 * 1024 * 1024 * 1024 * 1024; break;
            default:
                if ((suffix[0] is 'e' or 'E') && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exp) && exp is >= -18 and <= 18)
                {
                    multiplier = exp >= 0 ? Pow10(exp) : 1m / Pow10(-exp);
                    break;
                }

                return false;
        }

        try
        {
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static decimal Pow10(int exp)
    {
        var r = 1m;
        for (var i = 0; i < exp; i++)
        {
            r *= 10;
        }

        return r;
    }
}
