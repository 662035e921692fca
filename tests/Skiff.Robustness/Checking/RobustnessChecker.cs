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
    /// <param name="startRv">The revision of the empty namespace's first list.</param>
    /// <param name="history">Every operation the clients recorded.</param>
    /// <param name="streams">Every watcher's stream.</param>
    /// <param name="stepBudget">The linearizability search's bound per key.</param>
    /// <param name="found">Violations the driver found itself (unexpected answers, stalled watchers).</param>
    public static RobustnessReport Check(long startRv, IReadOnlyList<Operation> history, IReadOnlyList<WatchStream> streams,
        long stepBudget = LinearizabilityChecker.DefaultStepBudget, IEnumerable<Violation>? found = null)
    {
        var violations = new List<Violation>(found ?? []);
        var log = RevisionLog.Build(startRv, streams, history, violations);
        var complete = IsComplete(log, history);
        WriteLogChecker.Check(history, log, violations);
        var patched = WriteLogChecker.Patch(history, log, complete);
        var linearizability = LinearizabilityChecker.Check(patched, stepBudget);
        foreach (var r in linearizability.Where(r => r.Verdict != LinearizabilityVerdict.Ok))
        {
            violations.Add(new Violation("linearizability", $"key {r.Key}: {r.Verdict}: {r.Explanation}"));
        }

        violations.AddRange(GlobalOrderChecker.Check(patched));
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

    /// <summary>True when watchers without a selector delivered every change from the start to the newest acknowledged write.</summary>
    private static bool IsComplete(RevisionLog log, IReadOnlyList<Operation> history)
    {
        var newest = history.Where(o => o.Outcome == Outcome.Ok && o.IsPut && o.ResultRv is not null).Select(o => o.ResultRv!.Value).DefaultIfEmpty(log.StartRv).Max();
        return log.IsCovered(log.StartRv, Math.Max(newest, log.LastRv));
    }
}
