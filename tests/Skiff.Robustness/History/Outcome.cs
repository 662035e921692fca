namespace Skiff.Robustness.History;

/// <summary>How an operation ended, as the client saw it.</summary>
public enum Outcome
{
    /// <summary>2xx: the operation took effect (writes) or returned data (reads).</summary>
    Ok,

    /// <summary>409 with reason AlreadyExists (a create of a key that exists).</summary>
    AlreadyExists,

    /// <summary>409 with reason Conflict (a resourceVersion precondition did not hold).</summary>
    Conflict,

    /// <summary>404 NotFound.</summary>
    NotFound,

    /// <summary>
    /// Timeout, connection error or a 5xx/429: the operation may or may not have taken effect. Its response time is
    /// unknown (infinite) for the linearizability search.
    /// </summary>
    Unknown,
}
