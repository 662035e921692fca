using Skiff.Robustness.History;

namespace Skiff.Robustness.Checking;

/// <summary>
/// What ties keys together: resourceVersions are one global, strictly increasing revision. Checks that
/// <list type="bullet">
/// <item>no two different writes were acknowledged with the same resourceVersion;</item>
/// <item>revisions respect real time: a write invoked after another write (or a list) returned gets a larger revision;</item>
/// <item>a consistent list (no resourceVersion) is at least as new as every write or list that returned before it was invoked.</item>
/// </list>
/// </summary>
public static class GlobalOrderChecker
{
    /// <summary>The violations in <paramref name="history"/>.</summary>
    public static IReadOnlyList<Violation> Check(IEnumerable<Operation> history)
    {
        var violations = new List<Violation>();
        var ops = history.Where(o => o.Outcome == Outcome.Ok && o.ResultRv is not null && (o.IsPut || o.Kind == OperationKind.List)).ToList();
        foreach (var group in ops.Where(o => o.IsPut).GroupBy(o => o.ResultRv!.Value))
        {
            var distinct = group.DistinctBy(o => (o.Key, o.Input)).ToList();
            if (distinct.Count > 1)
            {
                violations.Add(new Violation("global-order", $"resourceVersion {group.Key} was acknowledged for {distinct.Count} different writes: {string.Join("; ", distinct)}"));
            }
        }

        // Sweep in invocation order, folding in everything that returned before the invocation.
        var completed = ops.Where(o => o.ReturnTicks is not null).OrderBy(o => o.ReturnTicks).ToList();
        var next = 0;
        Operation? newest = null;
        foreach (var op in ops.OrderBy(o => o.CallTicks))
        {
            while (next < completed.Count && completed[next].ReturnTicks < op.CallTicks)
            {
                if (newest is null || completed[next].ResultRv > newest.ResultRv)
                {
                    newest = completed[next];
                }

                next++;
            }

            if (newest is null)
            {
                continue;
            }

            var rv = op.ResultRv!.Value;
            if (op.IsPut && rv <= newest.ResultRv && !(newest.IsPut && newest.Key == op.Key && newest.Input == op.Input))
            {
                violations.Add(new Violation("global-order", $"{op} got resourceVersion {rv}, not above {newest.ResultRv} of {newest}, which returned before it was invoked"));
            }
            else if (op.Kind == OperationKind.List && rv < newest.ResultRv)
            {
                violations.Add(new Violation("global-order", $"stale consistent list: {op} is older than {newest}, which returned before it was invoked"));
            }
        }

        return violations;
    }
}
