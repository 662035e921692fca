namespace Skiff.Client.Entities;

/// <summary>
/// An OpenAPI <c>format</c> (kubebuilder's <c>+kubebuilder:validation:Format</c>): among those the API server checks are
/// <c>date-time</c>, <c>date</c>, <c>duration</c>, <c>uuid</c>, <c>hostname</c>, <c>ipv4</c>, <c>ipv6</c>, <c>cidr</c>,
/// <c>mac</c>, <c>uri</c>, <c>email</c>, <c>byte</c> and <c>int-or-string</c>. Replaces the format the CLR type implies.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class FormatAttribute(string format) : Attribute
{
    /// <summary>The format name.</summary>
    public string Format { get; } = format;
}
