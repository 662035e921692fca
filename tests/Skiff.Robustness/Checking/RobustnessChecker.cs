using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>
/// Runs every check over a recorded run: the revision log (from all watch streams and write responses), the writes
/// against it, per-key linearizability of the patched history, the global revision order, every consistent list, and
/// every watch stream.
/// </summary>
public static class RobustnessChecker
{
    /// <summary>Checks a run that began at <paramref name="startRv"/> in an empty namespace.</summary>
    public static RobustnessReport Check(long startRv, IReadOnlyList<Operation> history, IReadOnlyList<WatchStream> streams, long stepBudget = LinearizabilityChecker.DefaultStepBudget)
    {
        var violations = new List<Violation>();
        var log = RevisionLog.Build(startRv, streams, history, violations);
        var complete = IsComplete(log, streams, history);
        WriteLogChecker.Check(history, log, violations);
        var patched = WriteLogChecker.Patch(history, log, complete);
        var linearizability = LinearizabilityChecker.Check(patched, stepBudget);
        foreach (var r in linearizability.Where(r => r.Verdict != LinearizabilityVerdict.Ok))
        {
            violations.Add(new Violation("linearizability", $"key {r.Key}: {r.Verdict}: {r.Explanation}"));
        }

        violations.AddRange(GlobalOrderChecker.Check(patched));
        foreach (var list in history.Where(o => o.Kind == OperationKind.List && o.Outcome == Outcome.Ok && o.ResultRv is not null))
        {
            if (list.ResultRv > log.LastRv && !complete)
            {
                continue; // the log may not reach that far
            }

            var items = list.ListItems!.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal);
            WatchChecker.CompareList(log.StateAt(list.ResultRv!.Value), items, null, "list", $"list #{list.Id} at rv {list.ResultRv}", violations);
        }

        foreach (var stream in streams)
        {
            violations.AddRange(WatchChecker.Check(stream, log));
        }

        return new RobustnessReport
        {
            History = patched,
            Streams = streams,
            Log = log,
            LogComplete = complete,
            Linearizability = linearizability,
            Violations = violations,
        };
    }

    /// <summary>
    /// True when one unselective watcher covered the whole run without a relist: started at the run's revision, every
    /// reconnect resumed from its last revision, and it reached the newest acknowledged write.
    /// </summary>
    private static bool IsComplete(RevisionLog log, IReadOnlyList<WatchStream> streams, IReadOnlyList<Operation> history)
    {
        var newest = history.Where(o => o.Outcome == Outcome.Ok && o.IsPut && o.ResultRv is not null).Select(o => o.ResultRv!.Value).DefaultIfEmpty(log.StartRv).Max();
        return streams.Any(s => s.LabelSelector is null && s.Segments.Count > 0 && s.Segments[0].StartRv == log.StartRv
            && s.Segments.Skip(1).Zip(s.Segments).All(p => p.First.Resumed && p.First.Listed is null && p.First.StartRv == p.Second.Coverage)
            && s.Segments[^1].Coverage >= newest);
    }
}
