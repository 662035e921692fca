using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>One revision of the namespace: a put (create or update) or a delete of one key.</summary>
/// <param name="Rv">The revision.</param>
/// <param name="Key">The configmap's name.</param>
/// <param name="IsDelete">True for a delete.</param>
/// <param name="Value">The value written (puts) or the value deleted (deletes).</param>
/// <param name="Source">Who reported it first (a watcher or a write response), for reports.</param>
public sealed record LogEntry(long Rv, string Key, bool IsDelete, ObjectValue Value, string Source)
{
    /// <summary>The key's value just before this revision (null when absent); set by <see cref="RevisionLog.Build"/>.</summary>
    public ObjectValue? Previous { get; set; }

    /// <summary>
    /// True when no watcher covered the revisions just before this one (the server was killed and every watcher had to
    /// relist): <see cref="Previous"/> is then a guess, and the event type a watcher got cannot be checked exactly.
    /// </summary>
    public bool Uncertain { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"rv={Rv} {(IsDelete ? "delete" : Previous is null ? "create" : "update")} {Key} {Value} (from {Source})";
}
