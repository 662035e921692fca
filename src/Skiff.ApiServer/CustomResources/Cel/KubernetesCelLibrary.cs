using System.Globalization;
using System.Text.RegularExpressions;
using global::Cel;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// The Kubernetes CEL library functions the <c>Cel</c> package lacks, registered on an environment before any rule
/// is parsed (upstream <c>k8s.io/apiserver/pkg/cel/library</c> and cel-go's strings extension): <c>lowerAscii</c>,
/// <c>upperAscii</c>, <c>trim</c>, <c>replace</c>, <c>split</c>, <c>join</c>, <c>substring</c>, <c>charAt</c>,
/// <c>indexOf</c>/<c>lastIndexOf</c> on strings and lists, <c>isSorted</c>, <c>sum</c>, <c>min</c>, <c>max</c>,
/// <c>url</c> with <c>getScheme</c>/<c>getHost</c>/<c>getHostname</c>/<c>getPort</c>/<c>getEscapedPath</c>,
/// <c>isURL</c>. Errors raise an exception, which the rule evaluator reports as upstream does
/// (<c>… evaluating rule: …</c>).
/// </summary>
internal static class KubernetesCelLibrary
{
    /// <summary>Registers every function on <paramref name="env"/>.</summary>
    public static void Register(CelEnvironment env)
    {
        Type s = typeof(string), l = typeof(object[]), o = typeof(object), i = typeof(long);
        env.RegisterFunction("lowerAscii", [s], a => AsciiMap((string)a[0]!, char.ToLowerInvariant));
        env.RegisterFunction("upperAscii", [s], a => AsciiMap((string)a[0]!, char.ToUpperInvariant));
        env.RegisterFunction("trim", [s], a => ((string)a[0]!).Trim());
        env.RegisterFunction("replace", [s, s, s], a => ((string)a[0]!).Replace((string)a[1]!, (string)a[2]!, StringComparison.Ordinal));
        env.RegisterFunction("split", [s, s], a => ((string)a[0]!).Split((string)a[1]!).Cast<object?>().ToArray());
        env.RegisterFunction("join", [l], a => string.Concat(((object?[])a[0]!).Cast<string>()));
        env.RegisterFunction("join", [l, s], a => string.Join((string)a[1]!, ((object?[])a[0]!).Cast<string>()));
        env.RegisterFunction("charAt", [s, i], a => CharAt((string)a[0]!, (long)a[1]!));
        env.RegisterFunction("substring", [s, i], a => Substring((string)a[0]!, (long)a[1]!, null));
        env.RegisterFunction("substring", [s, i, i], a => Substring((string)a[0]!, (long)a[1]!, (long)a[2]!));
        env.RegisterFunction("indexOf", [s, s], a => (long)Runes((string)a[0]!).IndexOf((string)a[1]!, StringComparison.Ordinal));
        env.RegisterFunction("lastIndexOf", [s, s], a => (long)Runes((string)a[0]!).LastIndexOf((string)a[1]!, StringComparison.Ordinal));
        env.RegisterFunction("indexOf", [l, o], a => (long)IndexOf((object?[])a[0]!, a[1], last: false));
        env.RegisterFunction("lastIndexOf", [l, o], a => (long)IndexOf((object?[])a[0]!, a[1], last: true));
        env.RegisterFunction("isSorted", [l], a => IsSorted((object?[])a[0]!));
        env.RegisterFunction("sum", [l], a => Sum((object?[])a[0]!));
        env.RegisterFunction("min", [l], a => Extreme((object?[])a[0]!, min: true));
        env.RegisterFunction("max", [l], a => Extreme((object?[])a[0]!, min: false));
        env.RegisterFunction("isURL", [s], a => Uri.TryCreate((string)a[0]!, UriKind.Absolute, out _));
        env.RegisterFunction("url", [s], a => Uri.TryCreate((string)a[0]!, UriKind.Absolute, out var u)
            ? new CelUrl(u)
            : throw new FormatException($"URL parse error during conversion from string: {a[0]}"));
        env.RegisterFunction("getScheme", [typeof(CelUrl)], a => ((CelUrl)a[0]!).Uri.Scheme);
        env.RegisterFunction("getHost", [typeof(CelUrl)], a => ((CelUrl)a[0]!).Uri.IsDefaultPort ? ((CelUrl)a[0]!).Uri.Host : ((CelUrl)a[0]!).Uri.Authority);
        env.RegisterFunction("getHostname", [typeof(CelUrl)], a => ((CelUrl)a[0]!).Uri.Host.Trim('[', ']'));
        env.RegisterFunction("getPort", [typeof(CelUrl)], a => ((CelUrl)a[0]!).Uri.IsDefaultPort ? "" : ((CelUrl)a[0]!).Uri.Port.ToString(CultureInfo.InvariantCulture));
        env.RegisterFunction("getEscapedPath", [typeof(CelUrl)], a => ((CelUrl)a[0]!).Uri.AbsolutePath);
    }

    /// <summary>A parsed URL value (<c>url(string)</c>).</summary>
    /// <param name="Uri">The parsed URL.</param>
    internal sealed record CelUrl(Uri Uri);

    private static string AsciiMap(string s, Func<char, char> map) =>
        string.Create(s.Length, s, (span, src) =>
        {
            for (var k = 0; k < src.Length; k++)
            {
                span[k] = src[k] < 128 ? map(src[k]) : src[k];
            }
        });

    private static string Runes(string s) => s;

    private static string CharAt(string s, long index)
    {
        var runes = s.EnumerateRunes().ToArray();
        if (index < 0 || index > runes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"index out of range: {index}");
        }

        return index == runes.Length ? "" : runes[index].ToString();
    }

    private static string Substring(string s, long start, long? end)
    {
        var runes = s.EnumerateRunes().ToArray();
        var e = end ?? runes.Length;
        if (start < 0 || start > runes.Length || e < start || e > runes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"index out of range: {(start < 0 || start > runes.Length ? start : e)}");
        }

        return string.Concat(runes[(int)start..(int)e].Select(r => r.ToString()));
    }

    private static int IndexOf(object?[] list, object? item, bool last)
    {
        var indexes = Enumerable.Range(0, list.Length);
        foreach (var k in last ? indexes.Reverse() : indexes)
        {
            if (Equals(Normalize(list[k]), Normalize(item)))
            {
                return k;
            }
        }

        return -1;
    }

    private static object? Normalize(object? v) => v switch
    {
        int n => (long)n,
        _ => v,
    };

    private static bool IsSorted(object?[] list)
    {
        for (var k = 1; k < list.Length; k++)
        {
            if (Compare(list[k - 1], list[k]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        (ulong x, ulong y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        _ => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
    };

    private static object Sum(object?[] list)
    {
        if (list.Length == 0)
        {
            return 0L;
        }

        if (list.All(x => x is long or int))
        {
            return list.Aggregate(0L, (acc, x) => checked(acc + Convert.ToInt64(x, CultureInfo.InvariantCulture)));
        }

        if (list.All(x => x is ulong))
        {
            return list.Aggregate(0UL, (acc, x) => checked(acc + (ulong)x!));
        }

        return list.Sum(x => Convert.ToDouble(x, CultureInfo.InvariantCulture));
    }

    private static object? Extreme(object?[] list, bool min)
    {
        if (list.Length == 0)
        {
            throw new InvalidOperationException($"{(min ? "min" : "max")}(list) argument must not be empty");
        }

        var best = list[0];
        foreach (var x in list.Skip(1))
        {
            var c = Compare(x, best);
            if (min ? c < 0 : c > 0)
            {
                best = x;
            }
        }

        return Normalize(best);
    }

    /// <summary>True when a CEL expression mentions the identifier <c>oldSelf</c> (a transition rule).</summary>
    public static bool UsesOldSelf(string expression) => OldSelf.IsMatch(expression);

    private static readonly Regex OldSelf = new(@"(?<![\w.])oldSelf\b", RegexOptions.CultureInvariant);
}
