namespace Skiff.ApiServer.Interim;

/// <summary>
/// A parsed field selector: <c>f=v</c>, <c>f==v</c>, <c>f!=v</c> joined by commas (apimachinery <c>pkg/fields</c>).
/// INTERIM: replaced by Skiff.Api.Selectors once it lands in main.
/// </summary>
internal sealed class FieldSelector
{
    private FieldSelector(List<(string Field, bool Equal, string Value)> reqs) => Requirements = reqs;

    public static FieldSelector Everything { get; } = new([]);

    public IReadOnlyList<(string Field, bool Equal, string Value)> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var reqs = new List<(string, bool, string)>();
        foreach (var part in SplitUnescaped(text, ','))
        {
            if (part.Length == 0)
            {
                continue;
            }

            int idx;
            if ((idx = part.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                reqs.Add((part[..idx].Trim(), false, Unescape(part[(idx + 2)..])));
            }
            else if ((idx = part.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                reqs.Add((part[..idx].Trim(), true, Unescape(part[(idx + 2)..])));
            }
            else if ((idx = part.IndexOf('=')) > 0)
            {
                reqs.Add((part[..idx].Trim(), true, Unescape(part[(idx + 1)..])));
            }
            else
            {
                throw Errors.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }
        }

        return new FieldSelector(reqs);
    }

    public bool Matches(Func<string, string?> fieldValue)
    {
        foreach (var (field, equal, value) in Requirements)
        {
            var actual = fieldValue(field) ?? string.Empty;
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SplitUnescaped(string s, char sep)
    {
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
            }
            else if (s[i] == sep)
            {
                yield return s[start..i];
                start = i + 1;
            }
        }

        yield return s[start..];
    }

    private static string Unescape(string s) => s.Replace("\\,", ",").Replace("\\=", "=").Replace("\\\\", "\\");
}
