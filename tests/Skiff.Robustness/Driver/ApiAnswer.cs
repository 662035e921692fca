using System.Text.Json;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>One API answer mapped to an <see cref="Outcome"/>, with its body when it parsed.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Body">The JSON body of a 2xx answer.</param>
/// <param name="Detail">The status code and message of anything else.</param>
/// <param name="NotSent">True when the request provably had no effect (see <see cref="ConfigMapClient"/>): it is left out of the history.</param>
public sealed record ApiAnswer(Outcome Outcome, JsonElement? Body, string? Detail, bool NotSent = false)
{
    /// <summary>
    /// True for an answer no correct server gives these requests: a 4xx other than 404, 409 and 429 (the requests are
    /// valid), or a 500 (bad input and internal trouble must not surface as 500).
    /// </summary>
    public bool Unexpected { get; init; }

    /// <summary><c>metadata.resourceVersion</c> of the body.</summary>
    public long? ResourceVersion => Body is { } b ? ConfigMapJson.Rv(b) : null;
}
