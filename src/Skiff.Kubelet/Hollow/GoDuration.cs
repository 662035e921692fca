using System.Globalization;
using System.Text;

namespace Skiff.Kubelet.Hollow;

/// <summary>Go's <c>time.Duration</c> text: parses <c>3s</c>, <c>500ms</c>, <c>1m30s</c>, <c>2h</c>; formats whole seconds as Go does (<c>10s</c>, <c>1m20s</c>, <c>5m0s</c>).</summary>
public static class GoDuration
{
    /// <summary>Parses <paramref name="text"/>; false when it is not a non-negative Go duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        var total = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double? scale = s[unitStart..i] switch
            {
                "ns" => 1e-9,
                "us" or "µs" => 1e-6,
                "ms" => 1e-3,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            total += n * scale.Value;
        }

        value = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>Formats <paramref name="value"/> (rounded to whole seconds when ≥ 1 s) as Go's <c>Duration.String</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return value <= TimeSpan.Zero ? "0s" : ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = (long)Math.Round(value.TotalSeconds);
        var sb = new StringBuilder();
        if (seconds >= 3600)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
            seconds %= 3600;
            sb.Append(CultureInfo.InvariantCulture, $"{seconds / 60}m");
            seconds %= 60;
        }
        else if (seconds >= 60)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{seconds / 60}m");
            seconds %= 60;
        }

        sb.Append(CultureInfo.InvariantCulture, $"{seconds}s");
        return sb.ToString();
    }
}
