using Skiff.Api.Errors;

namespace Skiff.Api.Patch;

/// <summary>
/// A patch that cannot be decoded or applied. <see cref="Exception.Message"/> is the engine's text (upstream's
/// where it is visible); <see cref="ToStatusException"/> gives the Status upstream's API server answers:
/// 400 BadRequest for malformed patches, 422 for patches that do not apply.
/// </summary>
public sealed class PatchException : Exception
{
    public PatchException(string message, bool unprocessable = false)
        : base(message)
    {
        Unprocessable = unprocessable;
    }

    /// <summary>True when upstream answers 422 (JSON patch that does not apply, list of lists, retainKeys mismatch).</summary>
    public bool Unprocessable { get; }

    /// <summary>
    /// The Status upstream answers: 400 with this message, or 422 with upstream's generic
    /// <c>the server rejected our request due to an error in our request</c>.
    /// </summary>
    public StatusException ToStatusException() => Unprocessable ? StatusErrors.GenericUnprocessable() : StatusErrors.BadRequest(Message);
}
