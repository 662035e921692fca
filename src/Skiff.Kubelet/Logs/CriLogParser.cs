using System.Globalization;
using System.Text;

namespace Skiff.Kubelet.Logs;

/// <summary>
/// Parses CRI log lines (upstream <c>pkg/kubelet/kuberuntime/logs</c> <c>parseCRILog</c>): <c>TIMESTAMP STREAM TAGS
/// CONTENT</c>, where TIMESTAMP is RFC 3339 with nanoseconds, STREAM is <c>stdout</c> or <c>stderr</c> and TAGS is
/// <c>P</c> (partial) or <c>F</c> (full), optionally followed by <c>:</c>-separated further tags.
/// </summary>
public static class CriLogParser
{
    /// <summary>
    /// Parses one line (with or without its trailing newline). A full line's content keeps its newline (an incomplete
    /// last line has none); a partial line's trailing newline is dropped.
    /// </summary>
    /// <returns>False when the line is not in the CRI format.</returns>
    public static bool TryParse(ReadOnlyMemory<byte> line, out CriLogLine parsed)
    {
        parsed = default;
        var span = line.Span;
        var sp = span.IndexOf((byte)' ');
        if (sp <= 0 || !TryParseTimestamp(span[..sp], out var ts))
        {
            return false;
        }

        var tsEnd = sp;
        var rest = line[(sp + 1)..];
        sp = rest.Span.IndexOf((byte)' ');
        if (sp <= 0)
        {
            return false;
        }

        CriLogStream stream;
        if (rest.Span[..sp].SequenceEqual("stdout"u8))
        {
            stream = CriLogStream.Stdout;
        }
        else if (rest.Span[..sp].SequenceEqual("stderr"u8))
        {
            stream = CriLogStream.Stderr;
        }
        else
        {
            return false;
        }

        rest = rest[(sp + 1)..];
        sp = rest.Span.IndexOf((byte)' ');
        ReadOnlyMemory<byte> content;
        ReadOnlySpan<byte> tags;
        if (sp < 0)
        {
            // "TIMESTAMP stdout F" with an empty message and no separator is tolerated as an empty line.
            var t = rest.Span;
            if (t.Length > 0 && t[^1] == (byte)'\n')
            {
                t = t[..^1];
            }

            tags = t;
            content = ReadOnlyMemory<byte>.Empty;
        }
        else
        {
            tags = rest.Span[..sp];
            content = rest[(sp + 1)..];
        }

        var colon = tags.IndexOf((byte)':');
        var first = colon >= 0 ? tags[..colon] : tags;
        bool partial;
        if (first.SequenceEqual("P"u8))
        {
            partial = true;
        }
        else if (first.SequenceEqual("F"u8))
        {
            partial = false;
        }
        else
        {
            return false;
        }

        var endsInNewline = content.Length > 0 && content.Span[^1] == (byte)'\n';
        if (partial && endsInNewline)
        {
            content = content[..^1];
        }

        parsed = new CriLogLine(ts, line[..tsEnd], stream, partial, content);
        return true;
    }

    /// <summary>
    /// Re-formats an RFC 3339 timestamp as Go's <c>time.Format(RFC3339Nano)</c> prints the parsed time: the fraction
    /// without trailing zeros (none at all when zero), a zero offset as <c>Z</c>.
    /// </summary>
    public static string FormatRfc3339Nano(ReadOnlySpan<byte> text)
    {
        var s = Encoding.ASCII.GetString(text);
        var zone = s.Length >= 6 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':' ? s.Length - 6 : s.EndsWith('Z') ? s.Length - 1 : s.Length;
        var main = s[..zone];
        var offset = s[zone..];
        if (offset is "+00:00" or "-00:00" or "z")
        {
            offset = "Z";
        }

        var dot = main.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var fraction = main[(dot + 1)..].TrimEnd('0');
            main = fraction.Length == 0 ? main[..dot] : main[..(dot + 1)] + fraction;
        }

        return main + offset;
    }

    /// <summary>Parses an RFC 3339 timestamp with up to nine fractional digits (beyond .NET's 100 ns they are truncated).</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length > 64)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        return TryParseTimestamp(new string(chars), out time);
    }

    /// <summary>Parses an RFC 3339 timestamp with up to nine fractional digits.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset time)
    {
        time = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            // Keep at most seven fractional digits: .NET's resolution.
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = end - dot - 1;
            if (digits == 0)
            {
                return false;
            }

            if (digits > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
            && text.Length >= 20 && text[10] == 'T';
    }
}
