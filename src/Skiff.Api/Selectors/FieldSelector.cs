using System.Text;

namespace Skiff.Api.Selectors;

/// <summary>
/// A field selector (apimachinery <c>fields.Selector</c>): an AND of <c>field=value</c>, <c>field==value</c> and
/// <c>field!=value</c> terms, comma-separated, with upstream's value escaping (<c>\,</c> <c>\=</c> <c>\\</c>) and
/// error texts. Terms are sorted by their text like upstream. The field names are not checked here: the API server
/// checks <see cref="Requirements"/> against each type's allowed fields.
/// </summary>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    /// <summary>The empty selector: matches everything.</summary>
    public static FieldSelector Everything { get; } = new(Array.Empty<FieldRequirement>());

    /// <summary>The terms, in upstream's order (sorted by raw term text).</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>True when there are no terms.</summary>
    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>A selector of the given terms (no validation).</summary>
    public static FieldSelector FromRequirements(IEnumerable<FieldRequirement> requirements) => new(requirements.ToArray());

    /// <summary>
    /// Parses a selector; throws <see cref="SelectorParseException"/> with upstream's message, e.g.
    /// <c>invalid selector: 'x'; can't understand 'x'</c> or <c>invalid field selector: invalid escape sequence: \a</c>.
    /// </summary>
    public static FieldSelector Parse(string? selector)
    {
        selector ??= "";
        var parts = SplitTerms(selector);
        parts.Sort(CompareUtf8);
        var reqs = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (!SplitTerm(part, out var lhs, out var op, out var rhs))
            {
                throw new SelectorParseException($"invalid selector: '{selector}'; can't understand '{part}'");
            }

            var value = UnescapeValue(rhs);
            reqs.Add(new FieldRequirement(lhs, op == "!=" ? SelectorOperator.NotEquals : SelectorOperator.Equals, value));
        }

        return reqs.Count == 0 ? Everything : new FieldSelector(reqs);
    }

    /// <summary>Parses a selector, returning false and upstream's message on failure.</summary>
    public static bool TryParse(string? selector, out FieldSelector result, out string? error)
    {
        try
        {
            result = Parse(selector);
            error = null;
            return true;
        }
        catch (SelectorParseException e)
        {
            result = Everything;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Whether every term matches; <paramref name="getField"/> returns a field's value, null when absent ("" upstream).</summary>
    public bool Matches(Func<string, string?> getField)
    {
        foreach (var r in Requirements)
        {
            if (!r.Matches(getField(r.Field)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>If a term pins <paramref name="field"/> with <c>=</c>, its value (e.g. <c>metadata.name</c> for a single-object watch).</summary>
    public bool RequiresExactMatch(string field, out string value)
    {
        foreach (var r in Requirements)
        {
            if (r.Field == field && r.Operator == SelectorOperator.Equals)
            {
                value = r.Value;
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>
    /// Checks every field name against a type's supported set (upstream's field label conversion); throws
    /// <see cref="SelectorParseException"/> <c>field label not supported: spec.foo</c> (a 400) for the first unsupported one.
    /// </summary>
    public void EnsureSupported(Func<string, bool> isSupported)
    {
        foreach (var r in Requirements)
        {
            if (!isSupported(r.Field))
            {
                throw new SelectorParseException("field label not supported: " + r.Field);
            }
        }
    }

    /// <summary>Upstream's text: terms joined by <c>,</c>, values escaped.</summary>
    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value.</summary>
    public static string EscapeValue(string s) => s.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=");

    /// <summary>Unescapes a value; throws <see cref="SelectorParseException"/> on an invalid escape or an unescaped <c>,</c>/<c>=</c>.</summary>
    public static string UnescapeValue(string s)
    {
        if (s.IndexOfAny(new[] { '\\', ',', '=' }) < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        var inSlash = false;
        foreach (var r in s.EnumerateRunes())
        {
            if (inSlash)
            {
                if (r.Value is '\\' or ',' or '=')
                {
                    sb.Append(r.ToString());
                }
                else
                {
                    throw new SelectorParseException("invalid field selector: invalid escape sequence: \\" + r);
                }

                inSlash = false;
                continue;
            }

            switch (r.Value)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    throw new SelectorParseException("invalid field selector: unescaped character in value: " + r.Value);
                default:
                    sb.Append(r.ToString());
                    break;
            }
        }

        if (inSlash)
        {
            throw new SelectorParseException("invalid field selector: invalid escape sequence: \\");
        }

        return sb.ToString();
    }

    internal static List<string> SplitTerms(string selector)
    {
        var terms = new List<string>();
        if (selector.Length == 0)
        {
            return terms;
        }

        var start = 0;
        var inSlash = false;
        for (var i = 0; i < selector.Length; i++)
        {
            var c = selector[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(selector[start..i]);
                start = i + 1;
            }
        }

        terms.Add(selector[start..]);
        return terms;
    }

    internal static bool SplitTerm(string term, out string lhs, out string op, out string rhs)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in new[] { "!=", "==", "=" })
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    lhs = term[..i];
                    op = candidate;
                    rhs = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }

        lhs = op = rhs = "";
        return false;
    }

    private static int CompareUtf8(string a, string b)
    {
        // Go sorts strings by bytes; UTF-16 ordinal order differs only around surrogates, so compare by code point.
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var ha = ea.MoveNext();
            var hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha == hb ? 0 : ha ? 1 : -1;
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}
