using System.Globalization;

namespace Skiff.Bench.Storage;

/// <summary>Prints benchmark rows as a Markdown table, with ratios to the raw engine where one was measured.</summary>
public static class BenchTable
{
    public static void Write(TextWriter w, IEnumerable<BenchRow> rows)
    {
        w.WriteLine("| backend | metric | value | raw engine: 1 commit/write (or reads) | ratio | raw engine: batched | ratio |");
        w.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            w.WriteLine($"| {r.Backend} | {r.Metric} | {F(r.Value)} {r.Unit} | {F(r.RawSingle)} | {Ratio(r.Value, r.RawSingle)} | {F(r.RawBatched)} | {Ratio(r.Value, r.RawBatched)} |");
        }
    }

    private static string F(double? v) => v switch
    {
        null => "–",
        >= 100 => v.Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => v.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string Ratio(double value, double? raw) => raw is > 0 ? (value / raw.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";
}
