namespace Skiff.Scheduler.Framework;

/// <summary>Upstream's <c>helper.DefaultNormalizeScore</c>.</summary>
internal static class Normalize
{
    /// <summary>
    /// Scales scores so the highest becomes 100 (with <paramref name="reverse"/>, 100 minus that); when every score is 0
    /// they stay 0, or all become 100 reversed.
    /// </summary>
    public static void Default(long[] scores, bool reverse, long max = IScorePlugin.MaxNodeScore)
    {
        var highest = scores.Length == 0 ? 0 : scores.Max();
        if (highest == 0)
        {
            if (reverse)
            {
                Array.Fill(scores, max);
            }

            return;
        }

        for (var i = 0; i < scores.Length; i++)
        {
            var s = max * scores[i] / highest;
            scores[i] = reverse ? max - s : s;
        }
    }
}
