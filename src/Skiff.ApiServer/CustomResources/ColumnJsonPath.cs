using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The JSONPath subset of <c>additionalPrinterColumns[].jsonPath</c> (evaluated as upstream's <c>{&lt;path&gt;}</c>
/// template): <c>.field</c> (with <c>\.</c> escapes), <c>['field']</c>, <c>[n]</c>, <c>[*]</c>, slices
/// <c>[start:end:step]</c> (e.g. <c>[-1:]</c>, the last item, as kubeflow's State column uses) and filters
/// <c>[?(@.a.b=="v")]</c> / <c>!=</c>. Unknown syntax matches nothing.
/// </summary>
public sealed class ColumnJsonPath
{
    private readonly List<Func<JsonNode?, IEnumerable<JsonNode?>>> _steps;

    private ColumnJsonPath(List<Func<JsonNode?, IEnumerable<JsonNode?>>> steps) => _steps = steps;

    /// <summary>Parses <paramref name="path"/>; null when it is not in the supported subset.</summary>
    public static ColumnJsonPath? Parse(string path)
    {
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}'))
        {
            p = p[1..^1];
        }

        var steps = new List<Func<JsonNode?, IEnumerable<JsonNode?>>>();
        var i = 0;
        while (i < p.Length)
        {
            if (p[i] == '.')
            {
                var sb = new StringBuilder();
                i++;
                while (i < p.Length && p[i] is not ('.' or '['))
                {
                    if (p[i] == '\\' && i + 1 < p.Length)
                    {
                        i++;
                    }

                    sb.Append(p[i]);
                    i++;
                }

                var name = sb.ToString();
                if (name.Length > 0)
                {
                    steps.Add(n => Field(n, name));
                }

                continue;
            }

            if (p[i] != '[')
            {
                return null;
            }

            var close = FindClose(p, i);
            if (close < 0)
            {
                return null;
            }

            var inner = p[(i + 1)..close].Trim();
            i = close + 1;
            if (inner == "*")
            {
                steps.Add(All);
            }
            else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                steps.Add(n => Index(n, index));
            }
            else if (inner.Contains(':', StringComparison.Ordinal) && inner[0] is not ('\'' or '"' or '?') && SliceStep(inner) is { } slice)
            {
                steps.Add(slice);
            }
            else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
            {
                var name = inner[1..^1];
                steps.Add(n => Field(n, name));
            }
            else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')') && Filter(inner[2..^1]) is { } filter)
            {
                steps.Add(n => All(n).Where(filter));
            }
            else
            {
                return null;
            }
        }

        return new ColumnJsonPath(steps);
    }

    /// <summary>Every value the path finds in <paramref name="root"/>, in document order.</summary>
    public IReadOnlyList<JsonNode?> Find(JsonNode? root)
    {
        IEnumerable<JsonNode?> current = [root];
        foreach (var step in _steps)
        {
            current = current.SelectMany(step).ToList();
        }

        return current.ToList();
    }

    /// <summary>A value as upstream's JSONPath printer writes it: strings raw, objects and arrays as compact JSON.</summary>
    public static string Print(JsonNode? value) => value switch
    {
        null => "<nil>",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("G", CultureInfo.InvariantCulture).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal),
        _ => value.ToJsonString(),
    };

    private static int FindClose(string p, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var j = open; j < p.Length; j++)
        {
            var c = p[j];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    if (--depth == 0)
                    {
                        return j;
                    }

                    break;
            }
        }

        return -1;
    }

    private static Func<JsonNode?, bool>? Filter(string expr)
    {
        var op = expr.Contains("!=", StringComparison.Ordinal) ? "!=" : expr.Contains("==", StringComparison.Ordinal) ? "==" : null;
        if (op is null)
        {
            return Parse(expr.Trim().TrimStart('@')) is { } exists ? n => exists.Find(n).Count > 0 : null;
        }

        var parts = expr.Split(op, 2);
        var left = parts[0].Trim();
        var right = parts[1].Trim();
        if (!left.StartsWith('@') || Parse(left[1..]) is not { } path)
        {
            return null;
        }

        string? literal = right.Length >= 2 && right[0] is '\'' or '"' && right[^1] == right[0] ? right[1..^1] : right;
        return n =>
        {
            var found = path.Find(n);
            var equal = found.Count > 0 && found[0] is not null && Print(found[0]) == literal;
            return op == "==" ? equal : !equal;
        };
    }

    private static IEnumerable<JsonNode?> Field(JsonNode? node, string name) =>
        node is JsonObject o && o.TryGetPropertyValue(name, out var v) ? [v] : [];

    private static IEnumerable<JsonNode?> Index(JsonNode? node, int index)
    {
        if (node is not JsonArray a)
        {
            return [];
        }

        var i = index < 0 ? a.Count + index : index;
        return i >= 0 && i < a.Count ? [a[i]] : [];
    }

    // [start:end:step] as client-go's jsonpath evaluates it: missing start = 0, missing end = length, negatives count
    // from the end; an out-of-range slice finds nothing (upstream errors, and the column prints empty).
    private static Func<JsonNode?, IEnumerable<JsonNode?>>? SliceStep(string inner)
    {
        var parts = inner.Split(':');
        if (parts.Length > 3)
        {
            return null;
        }

        var values = new int?[3];
        for (var k = 0; k < parts.Length; k++)
        {
            var t = parts[k].Trim();
            if (t.Length == 0)
            {
                continue;
            }

            if (!int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            {
                return null;
            }

            values[k] = v;
        }

        if (values[2] is <= 0)
        {
            return null;
        }

        return node =>
        {
            if (node is not JsonArray a)
            {
                return [];
            }

            var start = values[0] ?? 0;
            start = start < 0 ? start + a.Count : start;
            var end = values[1] is { } e && e <= a.Count ? e : a.Count;
            end = end < 0 ? end + a.Count : end;
            if (start != end && (start < 0 || start >= a.Count || end < 0 || end > a.Count || start > end))
            {
                return [];
            }

            var result = new List<JsonNode?>();
            for (var i = start; i < end; i += values[2] ?? 1)
            {
                result.Add(a[i]);
            }

            return result;
        };
    }

    private static IEnumerable<JsonNode?> All(JsonNode? node) => node switch
    {
        JsonArray a => a.ToList(),
        JsonObject o => o.Select(p => p.Value).ToList(),
        _ => [],
    };
}
