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

    /// <summary>The namespace's content at <paramref name="rv"/>, by name.</summary>
    public Dictionary<string, ObjectValue> StateAt(long rv)
    {
        var state = new Dictionary<string, ObjectValue>(StringComparer.Ordinal);
        foreach (var e in Between(StartRv, rv + 1))
        {
            if (e.IsDelete)
            {
                state.Remove(e.Key);
            }
            else
            {
                state[e.Key] = e.Value;
            }
        }

        return state;
    }

    /// <summary>Reconstructs the log from <paramref name="streams"/> and <paramref name="history"/>; adds what disagrees to <paramref name="violations"/>.</summary>
    public static RevisionLog Build(long startRv, IEnumerable<WatchStream> streams, IEnumerable<Operation> history, List<Violation> violations)
    {
        var log = new RevisionLog(startRv);
        foreach (var stream in streams)
        {
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

        log.Replay(violations);
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

    private void Replay(List<Violation> violations)
    {
        var state = new Dictionary<string, ObjectValue>(StringComparer.Ordinal);
        foreach (var e in _entries.Values)
        {
            var had = state.TryGetValue(e.Key, out var previous);
            e.Previous = had ? previous : null;
            if (e.IsDelete)
            {
                if (!had)
                {
                    violations.Add(new Violation("revision-log", $"{e}: the key does not exist at that revision"));
                }
                else if (previous != e.Value)
                {
                    violations.Add(new Violation("revision-log", $"{e}: the deleted object should carry the last value {previous}"));
                }

                state.Remove(e.Key);
            }
            else
            {
                state[e.Key] = e.Value;
            }
        }
    }
}
