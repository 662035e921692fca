namespace Skiff.Robustness.History;

/// <summary>
/// One watch request's stream: it asked for every change after <see cref="StartRv"/> (optionally having first listed
/// the state at <see cref="StartRv"/>, after a 410) and received <see cref="Events"/> until <see cref="End"/>.
/// </summary>
public sealed class WatchSegment
{
    public WatchSegment(long startRv, IReadOnlyDictionary<string, ObjectValue>? listed, bool resumed)
    {
        StartRv = startRv;
        Listed = listed;
        Resumed = resumed;
    }

    /// <summary>The watch's <c>resourceVersion</c>: every event must be newer.</summary>
    public long StartRv { get; }

    /// <summary>The list taken at <see cref="StartRv"/> before this watch (a relist after 410), by name; null when none.</summary>
    public IReadOnlyDictionary<string, ObjectValue>? Listed { get; }

    /// <summary>True when this watch resumed from the last revision the previous segment delivered.</summary>
    public bool Resumed { get; }

    public List<WatchEventRecord> Events { get; } = [];

    /// <summary>Why the stream ended (closed by the server, ERROR 410, connection lost, stopped by the run).</summary>
    public string End { get; set; } = "running";

    /// <summary>The last revision this segment vouches for: its last event or bookmark, else its start.</summary>
    public long Coverage => Events.Count > 0 ? Events[^1].Rv : StartRv;
}
