using System.Text.RegularExpressions;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Interim;

/// <summary>Name and label validation (apimachinery <c>pkg/util/validation</c>). INTERIM: replaced by Skiff.Api.Validation.</summary>
internal static partial class Names
{
    private const string LabelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string QualifiedMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private const string LabelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();

    public static IEnumerable<FieldError> Validate(string field, string name, bool dnsLabel)
    {
        var q = $"\"{name}\"";
        if (dnsLabel)
        {
            if (name.Length > 63)
            {
                yield return FieldError.Invalid(field, q, "must be no more than 63 characters");
            }

            if (!Dns1123Label().IsMatch(name))
            {
                yield return FieldError.Invalid(field, q, LabelMsg);
            }
        }
        else
        {
            if (name.Length > 253)
            {
                yield return FieldError.Invalid(field, q, "must be no more than 253 characters");
            }

            if (!Dns1123Subdomain().IsMatch(name))
            {
                yield return FieldError.Invalid(field, q, SubdomainMsg);
            }
        }
    }

    public static IEnumerable<FieldError> ValidateLabel(string key, string value)
    {
        var slash = key.IndexOf('/');
        var namePart = slash >= 0 ? key[(slash + 1)..] : key;
        if (namePart.Length == 0 || namePart.Length > 63 || !QualifiedName().IsMatch(namePart) || (slash >= 0 && !Dns1123Subdomain().IsMatch(key[..slash])))
        {
            yield return FieldError.Invalid("metadata.labels", $"\"{key}\"", QualifiedMsg);
        }

        if (value.Length > 63 || (value.Length > 0 && !QualifiedName().IsMatch(value)))
        {
            yield return FieldError.Invalid($"metadata.labels", $"\"{value}\"", LabelValueMsg);
        }
    }
}
