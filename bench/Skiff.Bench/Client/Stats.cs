namespace Skiff.Bench.Client;

/// <summary>Medians and percentiles of samples.</summary>
internal static class Stats
{
    public static double Median(IReadOnlyList<double> samples) => Percentile(samples, 0.5);

    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }
}
