using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// Upstream's value rules with their exact messages (apimachinery <c>pkg/util/validation/validation.go</c>) and
/// the quoting used for bad values in field errors (Go's <c>%q</c>). Each check returns the list of messages; an
/// empty list means valid.
/// </summary>
public static partial class Rules
{
    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";

    [GeneratedRegex("^" + Dns1123LabelFmt + "$")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^" + Dns1123SubdomainFmt + "$")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^" + Dns1035LabelFmt + "$")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameCharsRegex();

    [GeneratedRegex("[a-z]")]
    private static partial Regex PortNameOneLetterRegex();

    /// <summary>RFC 1123 label: at most 63 characters (namespaces, container names).</summary>
    public static IReadOnlyList<string> Dns1123Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > 63)
        {
            errs.Add("must be no more than 63 characters");
        }

        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errs.Add("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" + Dns1123LabelFmt + "')");
        }

        return errs;
    }

    /// <summary>RFC 1123 subdomain: at most 253 characters (the name rule of most objects).</summary>
    public static IReadOnlyList<string> Dns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (value.Length > 253)
        {
            errs.Add("must be no more than 253 characters");
        }

        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errs.Add("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" + Dns1123SubdomainFmt + "')");
        }

        return errs;
    }

    /// <summary>RFC 1035 label: at most 63 characters, starting with a letter (service names).</summary>
    public static IReadOnlyList<string> Dns1035Label(string value)
    {
        var errs = new List<string>();
        if (value.Length > 63)
        {
            errs.Add("must be no more than 63 characters");
        }

        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errs.Add("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" + Dns1035LabelFmt + "')");
        }

        return errs;
    }

    /// <summary>A path segment name (RBAC objects): not "." or "..", no '/' or '%'.</summary>
    public static IReadOnlyList<string> PathSegmentName(string value)
    {
        var errs = new List<string>();
        if (value is "." or "..")
        {
            errs.Add($"may not be '{value}'");
            return errs;
        }

        if (value.Contains('/'))
        {
            errs.Add("may not contain '/'");
        }

        if (value.Contains('%'))
        {
            errs.Add("may not contain '%'");
        }

        return errs;
    }

    /// <summary>
    /// Applies a name rule to <c>metadata.name</c>, or with <paramref name="prefix"/> to <c>generateName</c>
    /// (upstream masks a trailing '-' so that "web-" is a valid prefix).
    /// </summary>
    public static IReadOnlyList<string> CheckName(Func<string, IReadOnlyList<string>> rule, string name, bool prefix) =>
        rule(prefix && name.EndsWith('-') ? name[..^1] + "a" : name);

    /// <summary>A port number 1..65535.</summary>
    public static IReadOnlyList<string> PortNumber(long port) =>
        port is >= 1 and <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];

    /// <summary>An IANA service name (container and service port names).</summary>
    public static IReadOnlyList<string> PortName(string port)
    {
        var errs = new List<string>();
        if (port.Length > 15)
        {
            errs.Add("must be no more than 15 characters");
        }

        if (!PortNameCharsRegex().IsMatch(port))
        {
            errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!PortNameOneLetterRegex().IsMatch(port))
        {
            errs.Add("must contain at least one letter (a-z)");
        }

        if (port.Contains("--", StringComparison.Ordinal))
        {
            errs.Add("must not contain consecutive hyphens");
        }

        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errs.Add("must not begin or end with a hyphen");
        }

        return errs;
    }

    /// <summary>Go's <c>%q</c> of a string (the form field errors print bad string values in).</summary>
    public static string Q(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Go's <c>%#v</c> of a string slice: <c>[]string{"a", "b"}</c>.</summary>
    public static string QList(IEnumerable<string> values) => "[]string{" + string.Join(", ", values.Select(Q)) + "}";

    /// <summary>One Invalid error per message of <paramref name="messages"/>.</summary>
    public static IEnumerable<FieldError> Invalid(string field, string value, IReadOnlyList<string> messages) =>
        messages.Select(m => FieldError.Invalid(field, Q(value), m));
}
