namespace Skiff.Robustness.History;

/// <summary>One event as a watcher received it.</summary>
/// <param name="Type">ADDED, MODIFIED, DELETED or BOOKMARK.</param>
/// <param name="Rv">The object's <c>metadata.resourceVersion</c>: the event's revision.</param>
/// <param name="Key">The object's name (empty for bookmarks).</param>
/// <param name="Value">The object's value (null for bookmarks).</param>
/// <param name="ReceivedTicks">When it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</param>
public sealed record WatchEventRecord(string Type, long Rv, string Key, ObjectValue? Value, long ReceivedTicks)
{
    public bool IsBookmark => Type == "BOOKMARK";

    /// <inheritdoc/>
    public override string ToString() => IsBookmark ? $"BOOKMARK rv={Rv}" : $"{Type} {Key} {Value} rv={Rv}";
}
