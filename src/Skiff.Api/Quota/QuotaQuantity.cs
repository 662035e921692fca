using System.Globalization;
using System.Text.Json.Nodes;

namespace Skiff.Api.Quota;

/// <summary>
/// A resource quantity as quota arithmetic needs it: an exact decimal value and the format its text came in
/// (binary <c>Ki</c>/<c>Mi</c>…, or decimal), printed canonically as upstream's <c>resource.Quantity.String()</c>
/// does for sums (<c>300m</c>, <c>256Mi</c>, <c>2</c>).
/// </summary>
public readonly record struct QuotaQuantity(decimal Value, bool Binary)
{
    private static readonly (string Suffix, decimal Factor)[] BinarySuffixes =
        [("Ei", 1152921504606846976m), ("Pi", 1125899906842624m), ("Ti", 1099511627776m), ("Gi", 1073741824m), ("Mi", 1048576m), ("Ki", 1024m)];

    private static readonly (string Suffix, decimal Factor)[] DecimalSuffixes =
        [("E", 1e18m), ("P", 1e15m), ("T", 1e12m), ("G", 1e9m), ("M", 1e6m), ("k", 1e3m), ("", 1m), ("m", 1e-3m), ("u", 1e-6m), ("n", 1e-9m)];

    /// <summary>Zero.</summary>
    public static QuotaQuantity Zero => new(0, false);

    /// <summary>Parses a quantity (JSON string or number); false when malformed.</summary>
    public static bool TryParse(JsonNode? node, out QuotaQuantity quantity)
    {
        quantity = Zero;
        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            return TryParse(s, out quantity);
        }

        if (node is JsonValue n && n.TryGetValue<decimal>(out var d))
        {
            quantity = new QuotaQuantity(d, false);
            return true;
        }

        return false;
    }

    /// <summary>Parses upstream's quantity grammar: a number with an optional SI, binary or exponent suffix.</summary>
    public static bool TryParse(string text, out QuotaQuantity quantity)
    {
        quantity = Zero;
        var span = text.AsSpan().Trim();
        var end = 0;
        while (end < span.Length && (char.IsAsciiDigit(span[end]) || span[end] is '.' or '+' or '-'))
        {
            end++;
        }

        if (end == 0 || !decimal.TryParse(span[..end], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var suffix = span[end..];
        foreach (var (sfx, factor) in BinarySuffixes)
        {
            if (suffix.SequenceEqual(sfx))
            {
                quantity = new QuotaQuantity(number * factor, true);
                return true;
            }
        }

        foreach (var (sfx, factor) in DecimalSuffixes)
        {
            if (suffix.SequenceEqual(sfx))
            {
                quantity = new QuotaQuantity(number * factor, false);
                return true;
            }
        }

        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exp) && exp is >= -9 and <= 18)
        {
            var value = number;
            for (var i = 0; i < Math.Abs(exp); i++)
            {
                value = exp > 0 ? value * 10 : value / 10;
            }

            quantity = new QuotaQuantity(value, false);
            return true;
        }

        return false;
    }

    /// <summary>The sum, in the format of the left operand (as upstream's <c>Quantity.Add</c>).</summary>
    public static QuotaQuantity operator +(QuotaQuantity a, QuotaQuantity b) => new(a.Value + b.Value, a.Value == 0 && a.Binary == false ? b.Binary : a.Binary);

    /// <summary>The difference, in the format of the left operand.</summary>
    public static QuotaQuantity operator -(QuotaQuantity a, QuotaQuantity b) => new(a.Value - b.Value, a.Binary);

    /// <summary>The canonical text.</summary>
    public override string ToString()
    {
        var v = Value;
        if (v == 0)
        {
            return "0";
        }

        var sign = v < 0 ? "-" : "";
        v = Math.Abs(v);
        if (Binary && decimal.Truncate(v) == v)
        {
            foreach (var (sfx, factor) in BinarySuffixes)
            {
                if (v >= factor && v % factor == 0)
                {
                    return sign + (v / factor).ToString(CultureInfo.InvariantCulture) + sfx;
                }
            }

            return sign + v.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (sfx, factor) in DecimalSuffixes)
        {
            if (v >= factor && v % factor == 0)
            {
                return sign + (v / factor).ToString(CultureInfo.InvariantCulture) + sfx;
            }
        }

        return sign + decimal.Ceiling(v * 1e9m).ToString(CultureInfo.InvariantCulture) + "n";
    }
}
