using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>
/// Ties the writers' history to the <see cref="RevisionLog"/>: every change in the log was written by someone whose
/// write did not fail, every acknowledged delete appears in it, and operations of unknown outcome are resolved from it
/// (etcd's robustness tests "patch" the history the same way: a write whose unique value shows up in a watch took
/// effect at that revision; one that never shows up in a complete log did not).
/// </summary>
public static class WriteLogChecker
{
    /// <summary>
    /// Adds to <paramref name="violations"/> what contradicts the log. A missing acknowledged delete is a violation only
    /// where the log is complete (<see cref="RevisionLog.IsCovered"/>).
    /// </summary>
    public static void Check(IReadOnlyList<Operation> history, RevisionLog log, List<Violation> violations)
    {
        var writers = history.Where(o => o.IsPut).GroupBy(o => (o.Key, o.Input!.Value)).ToDictionary(g => g.Key, g => g.First());
        foreach (var entry in log.Entries.Where(e => !e.IsDelete))
        {
            if (!writers.TryGetValue((entry.Key, entry.Value), out var op))
            {
                violations.Add(new Violation("revision-log", $"{entry}: no client wrote this value to this key (a phantom write)"));
            }
            else if (op.Outcome is Outcome.AlreadyExists or Outcome.Conflict or Outcome.NotFound)
            {
                violations.Add(new Violation("revision-log", $"{entry}: the write that produced it was answered {op.Outcome}: {op}"));
            }
            else if (op.Outcome == Outcome.Ok && op.ResultRv != entry.Rv)
            {
                violations.Add(new Violation("revision-log", $"{entry}: the write was acknowledged with rv={op.ResultRv}: {op}"));
            }
        }

        var deletes = log.Entries.Where(e => e.IsDelete).ToLookup(e => e.Key);
        var puts = history.Where(o => o.IsPut && o.Outcome == Outcome.Ok && o.ResultRv is not null).ToLookup(o => o.Key);
        foreach (var d in history.Where(o => o.IsDelete && o.Outcome == Outcome.Ok))
        {
            // The delete removed a version at least as new as every put of the key that returned before it was
            // invoked, and happened before every put invoked after it returned.
            var lo = puts[d.Key].Where(p => p.ReturnTicks < d.CallTicks).Select(p => p.ResultRv!.Value).DefaultIfEmpty(log.StartRv).Max();
            var hi = puts[d.Key].Where(p => p.CallTicks > d.ReturnTicks).Select(p => p.ResultRv!.Value).DefaultIfEmpty(long.MaxValue).Min();
            // Only where the watchers without a selector saw every change in that range: a watch that got 410 Gone
            // (a restarted server's cache starts at its first list, as upstream's) relists, and the changes between its
            // last event and the list are seen by no stream.
            if (!deletes[d.Key].Any(e => e.Rv > lo && e.Rv < hi) && log.IsCovered(lo, hi == long.MaxValue ? log.LastRv : hi - 1))
            {
                violations.Add(new Violation("revision-log", $"acknowledged {d} appears in no watch stream between rv {lo} and {(hi == long.MaxValue ? "the end" : hi)}"));
            }
        }
    }

    /// <summary>
    /// The history with unknown outcomes resolved from the log: a put whose value is in the log took effect at that
    /// revision; a put absent from a <paramref name="logComplete"/> log and unknown reads are dropped.
    /// </summary>
    public static IReadOnlyList<Operation> Patch(IReadOnlyList<Operation> history, RevisionLog log, bool logComplete)
    {
        var logged = log.Entries.Where(e => !e.IsDelete).GroupBy(e => (e.Key, e.Value)).ToDictionary(g => g.Key, g => g.First().Rv);
        var patched = new List<Operation>(history.Count);
        foreach (var op in history)
        {
            if (op.Outcome != Outcome.Unknown)
            {
                patched.Add(op);
            }
            else if (op.IsPut && logged.TryGetValue((op.Key, op.Input!.Value), out var rv))
            {
                patched.Add(op with { Outcome = Outcome.Ok, ResultRv = rv });
            }
            else if (op.IsDelete || (op.IsPut && !logComplete))
            {
                patched.Add(op);
            }
        }

        return patched;
    }
}
