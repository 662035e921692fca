using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// The string formats a CRD schema checks (kube-openapi's strfmt registry as apiextensions uses it): a string whose
/// schema names a known format and does not parse is a type error (<c>must be of type date-time: "x"</c>).
/// Unknown formats are not checked.
/// </summary>
internal static partial class SchemaFormats
{
    private static readonly HashSet<string> Known =
    [
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration",
        "datetime", "date-time",
    ];

    /// <summary>True when <paramref name="format"/> is checked for strings.</summary>
    public static bool IsKnown(string format) => Known.Contains(format);

    /// <summary>True when <paramref name="value"/> is a valid <paramref name="format"/> string (true for unknown formats).</summary>
    public static bool IsValid(string format, string value) => format switch
    {
        "date-time" or "datetime" => DateTimeRegex().IsMatch(value) && DateTimeOffset.TryParse(value.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
        "date" => DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "duration" => DurationRegex().IsMatch(value),
        "uuid" => UuidRegex().IsMatch(value),
        "uuid3" => UuidRegex().IsMatch(value) && value[14] == '3',
        "uuid4" => UuidRegex().IsMatch(value) && value[14] == '4',
        "uuid5" => UuidRegex().IsMatch(value) && value[14] == '5',
        "byte" => IsBase64(value),
        "ipv4" => IPAddress.TryParse(value, out var a4) && a4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && value.Count(c => c == '.') == 3,
        "ipv6" => IPAddress.TryParse(value, out var a6) && a6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        "cidr" => IPNetwork.TryParse(value, out _),
        "mac" => MacRegex().IsMatch(value),
        "hostname" => value.Length <= 255 && HostnameRegex().IsMatch(value),
        "email" => EmailRegex().IsMatch(value),
        "hexcolor" => HexColorRegex().IsMatch(value),
        "rgbcolor" => RgbColorRegex().IsMatch(value),
        "uri" => Uri.TryCreate(value, UriKind.Absolute, out _),
        "bsonobjectid" => BsonRegex().IsMatch(value),
        _ => true,
    };

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRegex();

    [GeneratedRegex(@"^(-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+|\d+ ?(ns|us|µs|ms|s|m|h|d|w|seconds?|minutes?|hours?|days?|weeks?))$")]
    private static partial Regex DurationRegex();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidRegex();

    [GeneratedRegex("^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$")]
    private static partial Regex MacRegex();

    [GeneratedRegex(@"^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9]))*\.?$")]
    private static partial Regex HostnameRegex();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailRegex();

    [GeneratedRegex("^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")]
    private static partial Regex HexColorRegex();

    [GeneratedRegex(@"^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$")]
    private static partial Regex RgbColorRegex();

    [GeneratedRegex("^[0-9a-fA-F]{24}$")]
    private static partial Regex BsonRegex();
}
