using System.Globalization;
using System.Text.RegularExpressions;

namespace Skiff.Testing.ControlPlane;

/// <summary>
/// The samples of a Prometheus text exposition (format 0.0.4), parsed for assertions: each sample's metric name, its
/// labels and its value. Comment lines (<c># HELP</c>, <c># TYPE</c>) are kept as <see cref="Types"/>.
/// </summary>
public sealed partial class PrometheusText
{
    private PrometheusText(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    /// <summary>Every sample, in exposition order.</summary>
    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>The declared type of each metric family (<c>counter</c>, <c>gauge</c>, <c>histogram</c>…).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>Parses <paramref name="text"/>; a line that is not a sample or a comment throws <see cref="FormatException"/>.</summary>
    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var m = SampleLine().Match(line);
            if (!m.Success)
            {
                throw new FormatException($"not a sample line: {line}");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups[1].Value] = l.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new PrometheusSample(m.Groups["name"].Value, labels, value));
        }

        return new PrometheusText(samples, types);
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary>The sum of the values of <see cref="Find"/>'s samples (0 when none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();
}
