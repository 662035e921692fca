using System.Globalization;
using System.Text;

namespace Skiff.Api.HttpStream;

/// <summary>
/// The head of an HTTP/1.1 response read off a raw connection (upstream apimachinery <c>util/proxy</c>'s upgrade-aware
/// handler reads it the same way): where an upgrade is relayed byte for byte, the relay must see the backend's status
/// before it answers its own client, and keep the bytes read past the head.
/// </summary>
/// <param name="Status">The status code.</param>
/// <param name="Headers">The header lines, in order, names and values trimmed.</param>
/// <param name="Leftover">The bytes read past the blank line (the start of the body or of the upgraded stream).</param>
public sealed record HttpResponseHead(int Status, List<(string Name, string Value)> Headers, byte[] Leftover)
{
    /// <summary>Why a head could not be read.</summary>
    public enum Failure
    {
        /// <summary>The status line is not <c>HTTP/x.y NNN …</c>.</summary>
        Malformed,

        /// <summary>No blank line within the size limit.</summary>
        TooLarge,

        /// <summary>The connection ended before the blank line.</summary>
        Closed,
    }

    /// <summary>
    /// Reads a head of at most <paramref name="maxBytes"/> from <paramref name="stream"/>; on failure calls
    /// <paramref name="error"/> for the exception to throw (each caller words it for its own peer).
    /// </summary>
    public static async Task<HttpResponseHead> ReadAsync(Stream stream, int maxBytes, Func<Failure, Exception> error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(error);
        var buffer = new byte[maxBytes];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.Latin1.GetString(buffer, 0, end).Split("\r\n");
                var statusParts = lines[0].Split(' ', 3);
                if (statusParts.Length < 2 || !int.TryParse(statusParts[1], CultureInfo.InvariantCulture, out var status))
                {
                    throw error(Failure.Malformed);
                }

                var headers = new List<(string, string)>();
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
                    }
                }

                return new HttpResponseHead(status, headers, buffer[(end + 4)..filled]);
            }

            if (filled == buffer.Length)
            {
                throw error(Failure.TooLarge);
            }

            var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw error(Failure.Closed);
            }

            filled += n;
        }
    }
}
