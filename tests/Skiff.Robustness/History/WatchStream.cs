namespace Skiff.Robustness.History;

/// <summary>Everything one watcher received, as consecutive <see cref="WatchSegment"/>s (a new one per reconnect).</summary>
public sealed class WatchStream
{
    public WatchStream(string name, string? labelSelector)
    {
        Name = name;
        LabelSelector = labelSelector;
    }

    public string Name { get; }

    /// <summary>The watch's label selector, of the form <c>robust=VALUE</c>, or null for every object.</summary>
    public string? LabelSelector { get; }

    public List<WatchSegment> Segments { get; } = [];

    private long _lastRv;

    /// <summary>The last revision this watcher has seen (its resume point); safe to read while it runs.</summary>
    public long LastRv => Volatile.Read(ref _lastRv);

    /// <summary>Records that the watcher has seen everything up to <paramref name="rv"/>.</summary>
    public void Observe(long rv) => Volatile.Write(ref _lastRv, rv);

    /// <summary>Whether an object with <paramref name="value"/> passes the selector.</summary>
    public bool Matches(ObjectValue value) =>
        LabelSelector is null || value.Label == LabelSelector["robust=".Length..];

    /// <summary>How many 410 Gone answers made this watcher relist.</summary>
    public int Relists => Segments.Count(s => s.Listed is not null);

    /// <summary>How many times it resumed from its last revision.</summary>
    public int Resumes => Segments.Count(s => s.Resumed);

    public int EventCount => Segments.Sum(s => s.Events.Count(e => !e.IsBookmark));
}
