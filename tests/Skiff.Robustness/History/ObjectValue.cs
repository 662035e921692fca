namespace Skiff.Robustness.History;

/// <summary>
/// The client-visible state of one configmap: <c>data.v</c> (unique per write, so a value identifies the write that
/// produced it) and its <c>robust</c> label (which the selector watchers filter on).
/// </summary>
/// <param name="Data">The value of <c>data.v</c>.</param>
/// <param name="Label">The value of the <c>robust</c> label, or null when absent.</param>
public readonly record struct ObjectValue(string Data, string? Label)
{
    /// <inheritdoc/>
    public override string ToString() => Label is null ? Data : $"{Data}[{Label}]";
}
