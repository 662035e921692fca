namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's <c>computeConcurrencyAllocation</c> (<c>conc_alloc.go</c>): divides <c>requiredSum</c> seats among
/// classes so that each gets <c>clamp(lower, upper, fairProp × target)</c> with one <c>fairProp</c> for all and the
/// allocations summing to the required sum. Found by bisection on fairProp (the sum is monotone in it).
/// </summary>
public static class ConcurrencyAllocation
{
    /// <summary>Upstream's <c>MinTarget</c>: targets below it count as it.</summary>
    public const double MinTarget = 0.001;

    private const double Epsilon = 0.0000001;

    /// <summary>One class: its target and bounds.</summary>
    public readonly record struct Item(double Target, double LowerBound, double UpperBound);

    /// <summary>The allocations (same order as <paramref name="items"/>), or null when the bounds make it impossible.</summary>
    public static double[]? Compute(int requiredSum, IReadOnlyList<Item> items)
    {
        double low = 0, high = 0;
        foreach (var item in items)
        {
            if (item.LowerBound < 0 || item.UpperBound < item.LowerBound || item.Target < item.LowerBound)
            {
                return null;
            }

            low += item.LowerBound;
            high += item.UpperBound;
        }

        if (requiredSum < 0 || low - requiredSum > Epsilon || requiredSum - high > Epsilon)
        {
            return null;
        }

        var result = new double[items.Count];
        if (requiredSum == 0)
        {
            return result;
        }

        if (low - requiredSum > -Epsilon)
        {
            return [.. items.Select(i => i.LowerBound)];
        }

        if (requiredSum - high > -Epsilon)
        {
            return [.. items.Select(i => i.UpperBound)];
        }

        // Sum(fairProp) is continuous and non-decreasing; it reaches every value between low and high on
        // [min lower/target, max upper/target].
        double lo = items.Min(i => i.LowerBound / Target(i)), hi = items.Max(i => i.UpperBound / Target(i));
        for (var round = 0; round < 200 && hi - lo > 1e-12 * Math.Max(1, hi); round++)
        {
            var mid = (lo + hi) / 2;
            if (Sum(items, mid) < requiredSum)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var fairProp = (lo + hi) / 2;
        for (var i = 0; i < items.Count; i++)
        {
            result[i] = Clamp(items[i], fairProp);
        }

        return result;
    }

    private static double Target(Item item) => Math.Max(item.Target, MinTarget);

    private static double Clamp(Item item, double fairProp) => Math.Max(item.LowerBound, Math.Min(item.UpperBound, fairProp * Target(item)));

    private static double Sum(IReadOnlyList<Item> items, double fairProp)
    {
        double sum = 0;
        foreach (var item in items)
        {
            sum += Clamp(item, fairProp);
        }

        return sum;
    }
}
