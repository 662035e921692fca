using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>
/// The namespace's history of revisions, reconstructed from every source that reports one: the events of the
/// watchers without a selector, the ADDED/MODIFIED events of selector watchers, and the acknowledged writes. Two
/// sources that disagree about a revision are a violation. The log is then replayed as a sequential store from an
/// empty namespace: a delete of an absent key or a deleted value that is not the last one are violations too.
/// </summary>
public sealed class RevisionLog
{
    private readonly SortedList<long, LogEntry> _entries = [];
    private readonly List<(long From, long To)> _covered = [];

    private RevisionLog(long startRv) => StartRv = startRv;

    /// <summary>The revision at which the namespace was empty and the run began.</summary>
    public long StartRv { get; }

    public IList<LogEntry> Entries => _entries.Values;

    /// <summary>The newest revision in the log (<see cref="StartRv"/> when empty).</summary>
    public long LastRv => _entries.Count == 0 ? StartRv : _entries.Keys[^1];

    /// <summary>The entry at <paramref name="rv"/>, or null.</summary>
    public LogEntry? At(long rv) => _entries.GetValueOrDefault(rv);

    /// <summary>The entries with <paramref name="after"/> &lt; rv &lt; <paramref name="before"/>.</summary>
    public IEnumerable<LogEntry> Between(long after, long before)
    {
        var keys = _entries.Keys;
        var lo = 0;
        var hi = keys.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (keys[mid] <= after)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < keys.Count && keys[i] < before; i++)
        {
            yield return _entries.Values[i];
        }
    }

    /// <summary>
    /// True when watchers without a selector delivered every change in (<paramref name="from"/>, <paramref name="to"/>]:
    /// the union of their segments' ranges (start, last revision seen] contains it.
    /// </summary>
    public bool IsCovered(long from, long to)
    {
        foreach (var (lo, hi) in _covered)
        {
            if (lo <= from && from < hi)
            {
                from = hi;
            }
        }

        return from >= to;
    }

    /// <summary>Reconstructs the log from <paramref name="streams"/> and <paramref name="history"/>; adds what disagrees to <paramref name="violations"/>.</summary>
    public static RevisionLog Build(long startRv, IEnumerable<WatchStream> streams, IEnumerable<Operation> history, List<Violation> violations)
    {
        var log = new RevisionLog(startRv);
        var snapshots = new List<Snapshot>();
        foreach (var stream in streams)
        {
            foreach (var (segment, i) in stream.Segments.Select((x, i) => (x, i)))
            {
                if (stream.LabelSelector is null && segment.Coverage > segment.StartRv)
                {
                    log._covered.Add((segment.StartRv, segment.Coverage));
                }

                if (segment.Listed is { } listed)
                {
                    snapshots.Add(new Snapshot(segment.StartRv, listed, stream.LabelSelector is null ? null : stream, "watch:" + stream.Name, $"segment {i}: relist at rv {segment.StartRv}"));
                }
            }

            foreach (var e in stream.Segments.SelectMany(s => s.Events).Where(e => !e.IsBookmark && e.Value is not null))
            {
                if (stream.LabelSelector is null)
                {
                    log.Add(new LogEntry(e.Rv, e.Key, e.Type == "DELETED", e.Value!.Value, "watch " + stream.Name), violations);
                }
                else if (e.Type != "DELETED")
                {
                    log.Add(new LogEntry(e.Rv, e.Key, false, e.Value!.Value, "watch " + stream.Name), violations);
                }
            }
        }

        foreach (var op in history.Where(o => o.IsPut && o.Outcome == Outcome.Ok && o.ResultRv is not null))
        {
            log.Add(new LogEntry(op.ResultRv!.Value, op.Key, false, op.Input!.Value, $"write #{op.Id}"), violations);
        }

        foreach (var list in history.Where(o => o.Kind == OperationKind.List && o.Outcome == Outcome.Ok && o.ResultRv is not null && o.ListItems is not null))
        {
            snapshots.Add(new Snapshot(list.ResultRv!.Value, list.ListItems!.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal), null, "list", $"list #{list.Id} at rv {list.ResultRv}"));
            foreach (var (key, (rv, value)) in list.ListItems!)
            {
                if (rv > list.ResultRv)
                {
                    violations.Add(new Violation("list", $"list #{list.Id} at rv {list.ResultRv} holds {key} = {value} at the newer rv {rv}"));
                }
            }
        }

        log._covered.Sort();
        log.Replay(snapshots.OrderBy(x => x.Rv).ToList(), violations);
        return log;
    }

    private void Add(LogEntry entry, List<Violation> violations)
    {
        if (entry.Rv <= StartRv)
        {
            violations.Add(new Violation("revision-log", $"{entry} is not newer than the run's start revision {StartRv}"));
            return;
        }

        if (!_entries.TryGetValue(entry.Rv, out var known))
        {
            _entries.Add(entry.Rv, entry);
        }
        else if (known.Key != entry.Key || known.IsDelete != entry.IsDelete || known.Value != entry.Value)
        {
            violations.Add(new Violation("revision-log", $"two different changes claim revision {entry.Rv}: {known} and {entry}"));
        }
    }

    /// <summary>
    /// Replays the log as a sequential store. Where watchers covered every revision the state is exact: a delete of an
    /// absent key, a deleted value that is not the last one, and a list (or relist) that differs are violations. Past
    /// a gap (every watcher relisted after the server was killed) the state is uncertain until the next complete list,
    /// which then becomes the state.
    /// </summary>
    private void Replay(List<Snapshot> snapshots, List<Violation> violations)
    {
        var state = new Dictionary<string, ObjectValue>(StringComparer.Ordinal);
        var certain = true;
        var position = StartRv;
        var next = 0;
        void ApplySnapshots(long upTo)
        {
            for (; next < snapshots.Count && snapshots[next].Rv <= upTo; next++)
            {
                var snapshot = snapshots[next];
                certain = certain && IsCovered(position, snapshot.Rv);
                position = Math.Max(position, snapshot.Rv);
                if (certain)
                {
                    WatchChecker.CompareList(state, snapshot.Items, snapshot.Selector, snapshot.Check, snapshot.What, violations);
                }
                else if (snapshot.Selector is null)
                {
                    state = new Dictionary<string, ObjectValue>(snapshot.Items, StringComparer.Ordinal);
                    certain = true;
                }
            }
        }

        foreach (var e in _entries.Values)
        {
            ApplySnapshots(e.Rv - 1);
            certain = certain && IsCovered(position, e.Rv);
            position = e.Rv;
            var had = state.TryGetValue(e.Key, out var previous);
            e.Previous = had ? previous : null;
            e.Uncertain = !certain;
            if (e.IsDelete && certain)
            {
                if (!had)
                {
                    violations.Add(new Violation("revision-log", $"{e}: the key does not exist at that revision"));
                }
                else if (previous != e.Value)
                {
                    violations.Add(new Violation("revision-log", $"{e}: the deleted object should carry the last value {previous}"));
                }
            }

            if (e.IsDelete)
            {
                state.Remove(e.Key);
            }
            else
            {
                state[e.Key] = e.Value;
            }
        }

        ApplySnapshots(long.MaxValue);
    }

    /// <summary>A list's content at its revision (filtered by <see cref="Selector"/>'s selector when not null).</summary>
    private sealed record Snapshot(long Rv, IReadOnlyDictionary<string, ObjectValue> Items, WatchStream? Selector, string Check, string What);
}
