using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>
/// Checks one watcher's stream against the <see cref="RevisionLog"/>, with upstream's watch semantics:
/// <list type="bullet">
/// <item>every event is newer than the watch's resourceVersion and than the previous event (no duplicate, strictly
/// increasing; a bookmark may repeat the last revision);</item>
/// <item>the event is the log's change at that revision, with the right type: ADDED for a create, MODIFIED for an
/// update, DELETED for a delete carrying the last value; for a selector, an object entering it is ADDED and one
/// leaving it is DELETED with its previous value (the cacher's and etcd3 watcher's transformation);</item>
/// <item>no gap: every change relevant to the watcher between its resourceVersion and its last event (or bookmark)
/// was delivered, so a resumed watch continues exactly after its revision;</item>
/// <item>a relist after 410 Gone returns exactly the namespace's content at the list's revision.</item>
/// </list>
/// </summary>
public static class WatchChecker
{
    /// <summary>The violations of <paramref name="stream"/>.</summary>
    public static IReadOnlyList<Violation> Check(WatchStream stream, RevisionLog log)
    {
        var violations = new List<Violation>();
        var check = "watch:" + stream.Name;
        foreach (var (segment, index) in stream.Segments.Select((s, i) => (s, i)))
        {
            var where = $"segment {index} (from rv {segment.StartRv}{(segment.Resumed ? ", resumed" : "")})";
            var covered = segment.StartRv;
            foreach (var e in segment.Events)
            {
                if (e.IsBookmark ? e.Rv < covered : e.Rv <= covered)
                {
                    violations.Add(new Violation(check, $"{where}: {e} is not newer than revision {covered} already delivered (duplicate or out of order)"));
                    continue;
                }

                // Everything relevant strictly between what was covered and this event must have been delivered.
                foreach (var missed in log.Between(covered, e.IsBookmark ? e.Rv + 1 : e.Rv).Where(m => Relevant(stream, m)).Take(5))
                {
                    var (type, value) = Expected(stream, missed) ?? ("an event", missed.Value);
                    violations.Add(new Violation(check, $"{where}: missed {type} {missed.Key} {value} rv={missed.Rv} ({missed}) before {e}"));
                }

                covered = e.Rv;
                if (e.IsBookmark)
                {
                    continue;
                }

                if (log.At(e.Rv) is not { } entry)
                {
                    // A selector's DELETED event is missing from the log only where the watchers without a selector did
                    // not see that revision (they relisted after 410 Gone): nothing to compare it with there.
                    if (e.Type == "DELETED" && stream.LabelSelector is not null && !log.IsCovered(e.Rv - 1, e.Rv))
                    {
                        continue;
                    }

                    violations.Add(new Violation(check, $"{where}: {e} has no change at that revision in the log"));
                    continue;
                }

                if (entry.Uncertain)
                {
                    // After a gap only the key and, for a put seen as a put, the value can be checked.
                    if (entry.Key != e.Key || (!entry.IsDelete && e.Type != "DELETED" && entry.Value != e.Value) || (entry.IsDelete && e.Type != "DELETED"))
                    {
                        violations.Add(new Violation(check, $"{where}: got {e} for {entry}"));
                    }

                    continue;
                }

                var expected = Expected(stream, entry);
                if (entry.Key != e.Key || expected is null || expected.Value.Type != e.Type || expected.Value.Value != e.Value)
                {
                    var wanted = expected is { } x ? $"{x.Type} {entry.Key} {x.Value}" : "no event";
                    violations.Add(new Violation(check, $"{where}: got {e}, expected {wanted} for {entry}"));
                }
            }
        }

        return violations;
    }

    /// <summary>Compares a list's items with the log's content at its revision, filtered by the stream's selector.</summary>
    public static void CompareList(Dictionary<string, ObjectValue> state, IReadOnlyDictionary<string, ObjectValue> listed, WatchStream? selector, string check, string what, List<Violation> violations)
    {
        var expected = state.Where(kv => selector?.Matches(kv.Value) ?? true).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in expected)
        {
            if (!listed.TryGetValue(key, out var got))
            {
                violations.Add(new Violation(check, $"{what}: {key} = {value} is missing"));
            }
            else if (got != value)
            {
                violations.Add(new Violation(check, $"{what}: {key} is {got}, expected {value}"));
            }
        }

        foreach (var key in listed.Keys.Where(k => !expected.ContainsKey(k)))
        {
            violations.Add(new Violation(check, $"{what}: {key} = {listed[key]} should not be there"));
        }
    }

    /// <summary>Whether <paramref name="stream"/> must receive an event for <paramref name="entry"/>.</summary>
    private static bool Relevant(WatchStream stream, LogEntry entry) =>
        entry.Uncertain ? stream.LabelSelector is null || (!entry.IsDelete && stream.Matches(entry.Value)) : Expected(stream, entry) is not null;

    /// <summary>The event <paramref name="stream"/> must receive for <paramref name="entry"/>, or null when none.</summary>
    public static (string Type, ObjectValue Value)? Expected(WatchStream stream, LogEntry entry)
    {
        var before = entry.Previous is { } p && stream.Matches(p);
        var after = !entry.IsDelete && stream.Matches(entry.Value);
        return (before, after) switch
        {
            (false, true) => ("ADDED", entry.Value),
            (true, true) => ("MODIFIED", entry.Value),
            (true, false) => ("DELETED", entry.Previous!.Value),
            _ => null,
        };
    }
}
