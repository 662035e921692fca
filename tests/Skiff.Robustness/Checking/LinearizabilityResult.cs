namespace Skiff.Robustness.Checking;

/// <summary>The verdict of the search over one key's history.</summary>
public enum LinearizabilityVerdict
{
    /// <summary>A linearization exists.</summary>
    Ok,

    /// <summary>No order of the operations consistent with real time satisfies the model.</summary>
    Illegal,

    /// <summary>The search ran out of its step budget before deciding.</summary>
    Unknown,
}

/// <summary>The result of <see cref="LinearizabilityChecker.CheckKey"/>.</summary>
/// <param name="Key">The key checked.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Operations">How many operations the key's history holds.</param>
/// <param name="Steps">How many model steps the search took.</param>
/// <param name="Explanation">For <see cref="LinearizabilityVerdict.Illegal"/>: the longest linearizable prefix and the operation that cannot follow it.</param>
public sealed record LinearizabilityResult(string Key, LinearizabilityVerdict Verdict, int Operations, long Steps, string? Explanation);
