namespace Skiff.Api.Selectors;

/// <summary>
/// A label or field selector that does not parse or validate. <see cref="Exception.Message"/> is upstream's text
/// (e.g. <c>unable to parse requirement: …</c>); the API server answers it as a 400 BadRequest.
/// </summary>
public sealed class SelectorParseException : FormatException
{
    public SelectorParseException(string message)
        : base(message)
    {
    }
}
