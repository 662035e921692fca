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
    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameCharsRegex();

    [GeneratedRegex("[a-z]")]
    private static partial Regex PortNameOneLetterRegex();

    /// <summary>RFC 1123 label: at most 63 characters (namespaces, container names).</summary>
    public static IReadOnlyList<string> Dns1123Label(string value) => ValueValidation.IsDns1123Label(value);

    /// <summary>RFC 1123 subdomain: at most 253 characters (the name rule of most objects).</summary>
    public static IReadOnlyList<string> Dns1123Subdomain(string value) => ValueValidation.IsDns1123Subdomain(value);

    /// <summary>RFC 1035 label: at most 63 characters, starting with a letter (service names).</summary>
    public static IReadOnlyList<string> Dns1035Label(string value) => ValueValidation.IsDns1035Label(value);

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
    public static IReadOnlyList<string> PortNumber(long port) => ValueValidation.IsValidPortNum(port);

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
    public static string Q(string s) => GoFormat.Quote(s);

    /// <summary>Go's <c>%#v</c> of a string slice: <c>[]string{"a", "b"}</c>.</summary>
    public static string QList(IEnumerable<string> values) => GoFormat.StringSlice(values);

    /// <summary>One Invalid error per message of <paramref name="messages"/>.</summary>
    public static IEnumerable<FieldError> Invalid(string field, string value, IReadOnlyList<string> messages) =>
        messages.Select(m => FieldError.Invalid(field, Q(value), m));
}
