using System.Globalization;
using System.Text;

namespace Skiff.Api.Protobuf;

/// <summary>Go's text forms of metav1.Time (RFC 3339), metav1.MicroTime (RFC 3339, 6 fraction digits) and
/// time.Duration ("1h2m3.5s"), both ways.</summary>
internal static class GoFormats
{
    private const long MinSeconds = -62135596800; // 0001-01-01T00:00:00Z, Go's zero time
    private const long MaxSeconds = 253402300799; // 9999-12-31T23:59:59Z

    /// <summary>Whether seconds/nanos is Go's zero time (written as an empty message, shown as null).</summary>
    public static bool IsZeroTime(long seconds, int nanos) => seconds == MinSeconds && nanos == 0;

    public static string FormatTime(long seconds, long nanos, bool micro)
    {
        seconds += Math.DivRem(nanos, 1_000_000_000L, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += 1_000_000_000L;
        }

        if (seconds < MinSeconds || seconds > MaxSeconds)
        {
            throw new ProtobufDecodeException($"protobuf: time {seconds}s is out of the supported range");
        }

        var dt = DateTime.UnixEpoch.AddSeconds(seconds);
        var text = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return micro ? $"{text}.{rem / 1000:D6}Z" : text + "Z";
    }

    /// <summary>Parses RFC 3339 (Go's time.RFC3339 layout, fractional seconds allowed) to Unix seconds/nanos.</summary>
    public static bool TryParseTime(string s, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            long frac = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (i - start < 9)
                {
                    frac = (frac * 10) + (s[i] - '0');
                }

                i++;
            }

            if (i == start)
            {
                return false;
            }

            for (var d = i - start; d < 9; d++)
            {
                frac *= 10;
            }

            nanos = (int)frac;
        }

        long offset;
        if (i == s.Length - 1 && (s[i] == 'Z' || s[i] == 'z'))
        {
            offset = 0;
        }
        else if (i == s.Length - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':'
                 && Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om) && oh < 24 && om < 60)
        {
            offset = ((oh * 60) + om) * 60 * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var dt = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        seconds = ((dt.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond) - offset;
        return true;
    }

    private static bool Digits(string s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = (value * 10) + (s[i] - '0');
        }

        return true;
    }

    /// <summary>Go's time.Duration.String.</summary>
    public static string FormatDuration(long d)
    {
        if (d == 0)
        {
            return "0s";
        }

        Span<char> buf = stackalloc char[32];
        var w = buf.Length;
        var neg = d < 0;
        var u = neg ? (ulong)(-(d + 1)) + 1 : (ulong)d;
        if (u < 1_000_000_000UL)
        {
            int prec;
            buf[--w] = 's';
            w--;
            if (u < 1000UL)
            {
                prec = 0;
                buf[w] = 'n';
            }
            else if (u < 1_000_000UL)
            {
                prec = 3;
                buf[w] = '\u00b5';
            }
            else
            {
                prec = 6;
                buf[w] = 'm';
            }

            u = FormatFraction(buf, ref w, u, prec);
            FormatInt(buf, ref w, u);
        }
        else
        {
            buf[--w] = 's';
            u = FormatFraction(buf, ref w, u, 9);
            FormatInt(buf, ref w, u % 60);
            u /= 60;
            if (u > 0)
            {
                buf[--w] = 'm';
                FormatInt(buf, ref w, u % 60);
                u /= 60;
                if (u > 0)
                {
                    buf[--w] = 'h';
                    FormatInt(buf, ref w, u);
                }
            }
        }

        if (neg)
        {
            buf[--w] = '-';
        }

        return new string(buf[w..]);
    }

    private static ulong FormatFraction(Span<char> buf, ref int w, ulong v, int prec)
    {
        var print = false;
        for (var i = 0; i < prec; i++)
        {
            var digit = v % 10;
            print = print || digit != 0;
            if (print)
            {
                buf[--w] = (char)('0' + (int)digit);
            }

            v /= 10;
        }

        if (print)
        {
            buf[--w] = '.';
        }

        return v;
    }

    private static void FormatInt(Span<char> buf, ref int w, ulong v)
    {
        if (v == 0)
        {
            buf[--w] = '0';
            return;
        }

        while (v > 0)
        {
            buf[--w] = (char)('0' + (int)(v % 10));
            v /= 10;
        }
    }

    /// <summary>Go's time.ParseDuration: "300ms", "-1.5h", "2h45m"; units ns, us, µs, μs, ms, s, m, h.</summary>
    public static bool TryParseDuration(string s, out long result)
    {
        result = 0;
        var i = 0;
        var neg = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            neg = s[i] == '-';
            i++;
        }

        if (s.Length - i == 1 && s[i] == '0')
        {
            return true;
        }

        if (i == s.Length)
        {
            return false;
        }

        ulong total = 0;
        while (i < s.Length)
        {
            ulong v = 0;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (v > (ulong.MaxValue - 9) / 10 / 2)
                {
                    return false;
                }

                v = (v * 10) + (ulong)(s[i++] - '0');
            }

            var pre = i != start;
            ulong frac = 0;
            double scale = 1;
            var post = false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fs = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (frac <= (ulong.MaxValue - 9) / 10 / 2)
                    {
                        frac = (frac * 10) + (ulong)(s[i] - '0');
                        scale *= 10;
                    }

                    i++;
                }

                post = i != fs;
            }

            if (!pre && !post)
            {
                return false;
            }

            var us = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            ulong unit = s[us..i] switch
            {
                "ns" => 1UL,
                "us" or "\u00b5s" or "\u03bcs" => 1_000UL,
                "ms" => 1_000_000UL,
                "s" => 1_000_000_000UL,
                "m" => 60_000_000_000UL,
                "h" => 3_600_000_000_000UL,
                _ => 0UL,
            };
            if (unit == 0 || v > (1UL << 63) / unit)
            {
                return false;
            }

            v *= unit;
            if (frac > 0)
            {
                v += (ulong)(frac * (unit / scale));
                if (v > 1UL << 63)
                {
                    return false;
                }
            }

            total += v;
            if (total > 1UL << 63)
            {
                return false;
            }
        }

        if (!neg && total > long.MaxValue)
        {
            return false;
        }

        result = neg ? (long)(0 - total) : (long)total;
        return true;
    }

    /// <summary>Bytewise UTF-8 order of strings (Go's sort.Strings), used for map keys.</summary>
    public static int CompareUtf8(string? a, string? b)
    {
        var n = Math.Min(a!.Length, b!.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                return Fix(x) - Fix(y);
            }
        }

        return a.Length - b.Length;

        static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }

    /// <summary>The UTF-8 text of a string for error messages, shortened.</summary>
    public static string Short(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 64), "…");

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
