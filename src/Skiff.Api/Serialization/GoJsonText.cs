using System.Text;
using System.Text.Unicode;

namespace Skiff.Api.Serialization;

/// <summary>
/// Brings JSON text to what Go's <c>encoding/json</c> reads from it, before System.Text.Json sees it. Go's decoder
/// accepts two things System.Text.Json refuses lazily (it parses them, then throws <see cref="InvalidOperationException"/>
/// when the string is read, long after the request was accepted):
/// <list type="bullet">
/// <item>invalid UTF-8: Go replaces each byte that does not start a valid sequence with U+FFFD
/// (<c>utf8.DecodeRune</c> answers <c>RuneError, 1</c>);</item>
/// <item>a <c>\uXXXX</c> escape of a surrogate that is not half of a valid pair: Go decodes it to U+FFFD.</item>
/// </list>
/// <see cref="Repair(ReadOnlySpan{byte})"/> rewrites exactly those (invalid bytes become the three bytes of U+FFFD, a
/// lone surrogate escape becomes <c>\ufffd</c>) and leaves every other byte alone, so a syntax error stays the same
/// syntax error. Valid text, nearly every body, is returned as it is after one vectorized UTF-8 check and a search
/// for <c>\u</c>.
/// </summary>
public static class GoJsonText
{
    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

    /// <summary>True when <paramref name="json"/> holds invalid UTF-8 or an escape of a lone surrogate.</summary>
    public static bool NeedsRepair(ReadOnlySpan<byte> json) => !Utf8.IsValid(json) || HasLoneSurrogateEscape(json);

    /// <summary>The text Go's decoder would read: <paramref name="json"/> itself when nothing needs repair, else a copy with
    /// invalid bytes and lone surrogate escapes replaced by U+FFFD.</summary>
    public static ReadOnlySpan<byte> Repair(ReadOnlySpan<byte> json) => NeedsRepair(json) ? RepairCore(json) : json;

    /// <summary>A string with each unpaired UTF-16 surrogate replaced by U+FFFD (as Go's UTF-8 encoding of such a rune);
    /// the same instance when there is none.</summary>
    public static string ReplaceLoneSurrogates(string s)
    {
        var first = FirstLoneSurrogate(s);
        if (first < 0)
        {
            return s;
        }

        var chars = s.ToCharArray();
        for (var i = first; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>The index of the first unpaired surrogate of <paramref name="s"/>, or -1.</summary>
    public static int FirstLoneSurrogate(ReadOnlySpan<char> s)
    {
        var i = s.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return -1;
        }

        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }

    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var i = json.IndexOf((byte)'\\');
        if (i < 0)
        {
            return false;
        }

        while (i < json.Length)
        {
            if (json[i] != '\\')
            {
                i++;
                continue;
            }

            var kind = EscapeAt(json, i, out var length);
            if (kind == Escape.LoneSurrogate)
            {
                return true;
            }

            i += length;
        }

        return false;
    }

    private static byte[] RepairCore(ReadOnlySpan<byte> json)
    {
        var output = new List<byte>(json.Length + 16);
        var i = 0;
        while (i < json.Length)
        {
            var b = json[i];
            if (b == '\\')
            {
                var kind = EscapeAt(json, i, out var length);
                if (kind == Escape.LoneSurrogate)
                {
                    output.AddRange("\\ufffd"u8);
                }
                else
                {
                    output.AddRange(json.Slice(i, length));
                }

                i += length;
                continue;
            }

            if (b < 0x80)
            {
                output.Add(b);
                i++;
                continue;
            }

            // Go's utf8.DecodeRune: an invalid sequence is RuneError of length 1, whatever follows.
            if (Rune.DecodeFromUtf8(json[i..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                output.AddRange(json.Slice(i, consumed));
                i += consumed;
            }
            else
            {
                output.AddRange(Replacement);
                i++;
            }
        }

        return [.. output];
    }

    private enum Escape
    {
        Other,
        LoneSurrogate,
    }

    /// <summary>Classifies the escape starting at the backslash <paramref name="i"/>; <paramref name="length"/> is how many
    /// bytes it spans (a valid surrogate pair spans both escapes; a truncated escape spans what is left).</summary>
    private static Escape EscapeAt(ReadOnlySpan<byte> json, int i, out int length)
    {
        if (i + 1 >= json.Length || json[i + 1] != 'u')
        {
            length = Math.Min(2, json.Length - i);
            return Escape.Other;
        }

        if (!TryHex4(json, i + 2, out var unit))
        {
            length = 2;
            return Escape.Other;
        }

        length = 6;
        if (unit is < 0xD800 or > 0xDFFF)
        {
            return Escape.Other;
        }

        if (unit <= 0xDBFF && i + 7 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u'
            && TryHex4(json, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
        {
            length = 12;
            return Escape.Other;
        }

        return Escape.LoneSurrogate;
    }

    private static bool TryHex4(ReadOnlySpan<byte> json, int at, out int value)
    {
        value = 0;
        if (at + 4 > json.Length)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var d = HexValue(json[at + k]);
            if (d < 0)
            {
                return false;
            }

            value = (value << 4) | d;
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
