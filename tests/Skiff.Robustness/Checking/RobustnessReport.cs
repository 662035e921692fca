using System.Globalization;
using System.Text;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>What <see cref="RobustnessChecker.Check"/> found: counts for the run's numbers and every violation.</summary>
public sealed class RobustnessReport
{
    public required IReadOnlyList<Operation> History { get; init; }

    public required IReadOnlyList<WatchStream> Streams { get; init; }

    public required RevisionLog Log { get; init; }

    public required bool LogComplete { get; init; }

    public required IReadOnlyList<LinearizabilityResult> Linearizability { get; init; }

    public required IReadOnlyList<Violation> Violations { get; init; }

    /// <summary>True when no check failed and every key's linearizability was decided.</summary>
    public bool Passed => Violations.Count == 0;

    /// <summary>A multi-line summary (counts, then the first violations).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        sb.Append(ic, $"operations: {History.Count}");
        foreach (var g in History.GroupBy(o => (o.Kind, o.Outcome)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Outcome))
        {
            sb.Append(ic, $" {g.Key.Kind}/{g.Key.Outcome}={g.Count()}");
        }

        sb.AppendLine();
        sb.AppendLine(ic, $"revision log: {Log.Entries.Count} changes, rv {Log.StartRv}..{Log.LastRv}, complete={LogComplete}");
        foreach (var s in Streams)
        {
            sb.AppendLine(ic, $"watch {s.Name}{(s.LabelSelector is null ? "" : $" ({s.LabelSelector})")}: {s.EventCount} events, {s.Segments.Count} segments, {s.Resumes} resumes, {s.Relists} relists after 410, ends: {string.Join(", ", s.Segments.Select(x => x.End).Distinct())}");
        }

        var steps = Linearizability.Sum(r => r.Steps);
        sb.AppendLine(ic, $"linearizability: {Linearizability.Count(r => r.Verdict == LinearizabilityVerdict.Ok)}/{Linearizability.Count} keys linearizable, {steps} search steps");
        sb.AppendLine(ic, $"violations: {Violations.Count}");
        foreach (var v in Violations.Take(30))
        {
            sb.AppendLine(v.ToString());
        }

        return sb.ToString();
    }

    /// <summary>
    /// Every operation (by invocation time) and every logged revision of each key whose linearizability check failed,
    /// for a failing run's output: the checker's explanation shows only the end of the longest linearizable prefix.
    /// </summary>
    public string FailingKeyHistories()
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        foreach (var key in Linearizability.Where(r => r.Verdict != LinearizabilityVerdict.Ok).Select(r => r.Key))
        {
            sb.AppendLine(ic, $"history of key {key}:");
            foreach (var op in History.Where(o => o.Key == key).OrderBy(o => o.CallTicks))
            {
                sb.AppendLine(ic, $"  {op}{(op.Detail is { } d && op.Outcome == Outcome.Unknown ? " (" + d + ")" : "")}");
            }

            foreach (var entry in Log.Entries.Where(e => e.Key == key))
            {
                sb.AppendLine(ic, $"  log {entry}");
            }
        }

        return sb.ToString();
    }
}
