using System.Globalization;
using System.Text;

namespace Skiff.Api.Validation;

/// <summary>
/// Formats values the way Go's <c>fmt</c> does in upstream error texts, so messages match byte for byte:
/// <c>%q</c> for strings (<see cref="Quote"/>) and <c>%#v</c> for string slices (<see cref="StringSlice"/>).
/// </summary>
public static class GoFormat
{
    /// <summary>Go's <c>strconv.Quote</c>: double-quoted, with Go escapes for control and non-printable runes.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (IsPrint(r))
                    {
                        sb.Append(r.ToString());
                    }
                    else if (r.Value < 0x80)
                    {
                        sb.Append("\\x").Append(r.Value.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (r.Value <= 0xFFFF)
                    {
                        sb.Append("\\u").Append(r.Value.ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append("\\U").Append(r.Value.ToString("x8", CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Go's <c>%#v</c> of a <c>[]string</c>: <c>[]string{"a", "b"}</c>, <c>[]string{}</c>, or <c>[]string(nil)</c> for null.</summary>
    public static string StringSlice(IEnumerable<string>? values) =>
        values is null ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(Quote)) + "}";

    private static bool IsPrint(Rune r)
    {
        if (r.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }
}
