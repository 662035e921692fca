namespace Skiff.Api.Validation;

/// <summary>
/// Upstream's object-name validators (apimachinery <c>pkg/api/validation/generic.go</c>): each takes the name and
/// whether it is a generateName prefix (a trailing '-' is then allowed) and returns upstream's messages.
/// </summary>
public static class NameValidation
{
    /// <summary>Names that must be DNS subdomains (most resources).</summary>
    public static IReadOnlyList<string> NameIsDnsSubdomain(string name, bool prefix) =>
        ValueValidation.IsDns1123Subdomain(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Names that must be DNS labels.</summary>
    public static IReadOnlyList<string> NameIsDnsLabel(string name, bool prefix) =>
        ValueValidation.IsDns1123Label(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Names that must be RFC 1035 labels (services).</summary>
    public static IReadOnlyList<string> NameIsDns1035Label(string name, bool prefix) =>
        ValueValidation.IsDns1035Label(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Namespace names: DNS labels.</summary>
    public static IReadOnlyList<string> ValidateNamespaceName(string name, bool prefix) => NameIsDnsLabel(name, prefix);

    /// <summary>
    /// Upstream's <c>maskTrailingDash</c>, quirk included: a trailing '-' of a name longer than one character is
    /// replaced, together with the character before it, by "a".
    /// </summary>
    public static string MaskTrailingDash(string name) =>
        name.Length > 1 && name.EndsWith('-') ? name[..^2] + "a" : name;

    /// <summary>Turns a one-argument validator into upstream's (name, prefix) form, masking the trailing dash of prefixes.</summary>
    public static Func<string, bool, IReadOnlyList<string>> WithPrefix(Func<string, IReadOnlyList<string>> validator) =>
        (name, prefix) => validator(prefix ? MaskTrailingDash(name) : name);
}
