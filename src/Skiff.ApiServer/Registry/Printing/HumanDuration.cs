using System.Globalization;

namespace Skiff.ApiServer.Registry.Printing;

/// <summary>
/// Upstream's human-readable durations (apimachinery <c>pkg/util/duration.HumanDuration</c>): "45s", "5m30s",
/// "2d3h", "3y12d", with the same thresholds, and <c>&lt;invalid&gt;</c> for more than a second in the future.
/// </summary>
public static class HumanDuration
{
    /// <summary>Formats <paramref name="d"/> like upstream.</summary>
    public static string Format(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds; // truncates toward zero, like Go's int(d.Seconds())
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return I($"{seconds}s");
        }

        var minutes = (long)(d.Ticks / TimeSpan.TicksPerMinute);
        if (minutes < 10)
        {
            var s = (d.Ticks / TimeSpan.TicksPerSecond) % 60;
            return s == 0 ? I($"{minutes}m") : I($"{minutes}m{s}s");
        }

        if (minutes < 60 * 3)
        {
            return I($"{minutes}m");
        }

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? I($"{hours}h") : I($"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return I($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? I($"{hours / 24}d") : I($"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return I($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? I($"{hours / 24 / 365}y") : I($"{hours / 24 / 365}y{dy}d");
        }

        return I($"{hours / 24 / 365}y");
    }

    /// <summary>
    /// upstream's <c>translateTimestampSince</c>: the age of an RFC3339 timestamp at <paramref name="now"/>, or
    /// <c>&lt;unknown&gt;</c> when it is missing or unparsable.
    /// </summary>
    public static string Since(string? timestamp, DateTimeOffset now)
    {
        var t = Parse(timestamp);
        return t is null ? "<unknown>" : Format(now - t.Value);
    }

    /// <summary>Parses an RFC3339 (or RFC3339 with fractional seconds) timestamp; null when missing or invalid.</summary>
    public static DateTimeOffset? Parse(string? timestamp) =>
        !string.IsNullOrEmpty(timestamp) &&
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
