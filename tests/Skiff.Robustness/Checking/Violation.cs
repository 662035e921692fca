namespace Skiff.Robustness.Checking;

/// <summary>One property the run broke, with enough context to reproduce it.</summary>
/// <param name="Check">Which check found it (linearizability, global-order, revision-log, watch:NAME, list).</param>
/// <param name="Message">What was expected and what was seen.</param>
public sealed record Violation(string Check, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"[{Check}] {Message}";
}
