using Skiff.Api.Errors;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// A parsed label selector (apimachinery <c>pkg/labels/selector.go</c> grammar: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>,
/// <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>, <c>k&gt;n</c>, <c>k&lt;n</c>).
/// INTERIM: replaced by Skiff.Api.Selectors once it lands in main.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<(string Key, string Op, string[] Values)> _reqs;

    private LabelSelector(List<(string, string, string[])> reqs) => _reqs = reqs;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _reqs.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var reqs = new List<(string, string, string[])>();
        var i = 0;
        var s = text;
        while (true)
        {
            SkipWs(s, ref i);
            if (i >= s.Length)
            {
                break;
            }

            var negate = false;
            if (s[i] == '!')
            {
                negate = true;
                i++;
                SkipWs(s, ref i);
            }

            var key = ReadToken(s, ref i);
            if (key.Length == 0)
            {
                throw Bad(text, "found '" + (i < s.Length ? s[i].ToString() : "EOF") + "', expected: identifier");
            }

            SkipWs(s, ref i);
            if (negate)
            {
                reqs.Add((key, "!", []));
            }
            else if (i >= s.Length || s[i] == ',')
            {
                reqs.Add((key, "exists", []));
            }
            else if (s[i] == '=' || s[i] == '!')
            {
                string op;
                if (s[i] == '!' && i + 1 < s.Length && s[i + 1] == '=') { op = "!="; i += 2; }
                else if (s[i] == '=' && i + 1 < s.Length && s[i + 1] == '=') { op = "="; i += 2; }
                else if (s[i] == '=') { op = "="; i++; }
                else { throw Bad(text, "found '!', expected: '='"); }
                SkipWs(s, ref i);
                reqs.Add((key, op, [ReadToken(s, ref i)]));
            }
            else if (s[i] == '>' || s[i] == '<')
            {
                var op = s[i].ToString();
                i++;
                SkipWs(s, ref i);
                var v = ReadToken(s, ref i);
                if (!long.TryParse(v, out _))
                {
                    throw Bad(text, $"for 'Gt', 'Lt' operators, the value must be an integer");
                }

                reqs.Add((key, op, [v]));
            }
            else
            {
                var word = ReadToken(s, ref i);
                if (word is not ("in" or "notin"))
                {
                    throw Bad(text, $"found '{word}', expected: in, notin, =, ==, !=, gt, lt");
                }

                SkipWs(s, ref i);
                if (i >= s.Length || s[i] != '(')
                {
                    throw Bad(text, "found '" + (i < s.Length ? s[i].ToString() : "EOF") + "', expected: '('");
                }

                i++;
                var values = new List<string>();
                while (true)
                {
                    SkipWs(s, ref i);
                    values.Add(ReadToken(s, ref i));
                    SkipWs(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    if (i < s.Length && s[i] == ')') { i++; break; }
                    throw Bad(text, "found 'EOF', expected: ')'");
                }

                reqs.Add((key, word, values.ToArray()));
            }

            SkipWs(s, ref i);
            if (i < s.Length)
            {
                if (s[i] != ',')
                {
                    throw Bad(text, $"found '{s[i]}', expected: ',' or 'end of string'");
                }

                i++;
            }
        }

        return new LabelSelector(reqs);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, op, values) in _reqs)
        {
            var has = labels.TryGetValue(key, out var v);
            var ok = op switch
            {
                "exists" => has,
                "!" => !has,
                "=" or "in" => has && values.Contains(v),
                "!=" or "notin" => !has || !values.Contains(v),
                ">" => has && long.TryParse(v, out var a) && a > long.Parse(values[0]),
                "<" => has && long.TryParse(v, out var b) && b < long.Parse(values[0]),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static void SkipWs(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not (',' or '=' or '!' or '(' or ')' or '<' or '>'))
        {
            i++;
        }

        return s[start..i];
    }

    private static StatusException Bad(string text, string why) =>
        Errors.BadRequest($"unable to parse requirement: {why}");
}
