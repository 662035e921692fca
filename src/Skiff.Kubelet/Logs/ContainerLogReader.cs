using System.Text;

namespace Skiff.Kubelet.Logs;

/// <summary>
/// Reads a CRI log file into a stream the way the kubelet serves <c>containerLogs</c> (upstream
/// <c>kuberuntime/logs.ReadLogs</c>): both streams interleaved in file order, partial lines joined, lines that do not
/// parse skipped. When following, it polls the file at EOF and stops once <c>isRunning</c> says the container has stopped
/// and the rest of the file is written.
/// </summary>
public static class ContainerLogReader
{
    private const int BlockSize = 4096;

    /// <summary>How often a follower looks for new lines.</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Writes the log at <paramref name="path"/> to <paramref name="output"/> as <paramref name="options"/> say.</summary>
    /// <param name="path">The CRI log file.</param>
    /// <param name="options">Follow, since, timestamps, tail and limit.</param>
    /// <param name="output">Where the content goes (flushed whenever a follower reaches EOF).</param>
    /// <param name="isRunning">Whether the container still runs (consulted by a follower at EOF).</param>
    /// <param name="clock">The clock for the follower's polling.</param>
    /// <param name="ct">Ends the read (a follower's only other way out).</param>
    public static async Task ReadAsync(string path, ContainerLogOptions options, Stream output, Func<bool> isRunning, TimeProvider clock, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BlockSize, useAsync: true);
        var start = options.TailLines is { } tail ? FindTailLineStart(file, tail) : 0;
        file.Seek(start, SeekOrigin.Begin);
        var state = new WriterState { Remaining = options.LimitBytes ?? long.MaxValue };
        var pending = new MemoryStream();
        var buffer = new byte[BlockSize];
        var stopping = false;
        while (true)
        {
            var n = await file.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (!options.Follow || stopping)
                {
                    // Whatever is left is an incomplete last line: written as it is, as upstream does.
                    if (pending.Length > 0)
                    {
                        await WriteLineAsync(pending.ToArray(), options, output, state, ct).ConfigureAwait(false);
                    }

                    await output.FlushAsync(ct).ConfigureAwait(false);
                    return;
                }

                await output.FlushAsync(ct).ConfigureAwait(false);
                if (!isRunning())
                {
                    // One more pass to EOF picks up what the container wrote before it stopped.
                    stopping = true;
                    continue;
                }

                await Task.Delay(PollInterval, clock, ct).ConfigureAwait(false);
                continue;
            }

            var chunk = buffer.AsMemory(0, n);
            while (chunk.Length > 0)
            {
                var eol = chunk.Span.IndexOf((byte)'\n');
                if (eol < 0)
                {
                    pending.Write(chunk.Span);
                    break;
                }

                byte[] line;
                if (pending.Length > 0)
                {
                    pending.Write(chunk.Span[..(eol + 1)]);
                    line = pending.ToArray();
                    pending.SetLength(0);
                }
                else
                {
                    line = chunk[..(eol + 1)].ToArray();
                }

                chunk = chunk[(eol + 1)..];
                if (!await WriteLineAsync(line, options, output, state, ct).ConfigureAwait(false))
                {
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The offset of the line <paramref name="lines"/> lines before the end (upstream <c>tail.FindTailLineStartIndex</c>):
    /// newlines are counted backwards in blocks; a file ending in a newline has no empty last line.
    /// </summary>
    public static long FindTailLineStart(Stream file, long lines)
    {
        if (lines < 0)
        {
            return 0;
        }

        var size = file.Seek(0, SeekOrigin.End);
        long left = 0, count = 0;
        var buf = Array.Empty<byte>();
        for (var right = size; right > 0 && count <= lines; right -= BlockSize)
        {
            left = Math.Max(0, right - BlockSize);
            buf = new byte[right - left];
            file.Seek(left, SeekOrigin.Begin);
            file.ReadExactly(buf);
            count += buf.AsSpan().Count((byte)'\n');
        }

        var offset = 0;
        for (; count > lines; count--)
        {
            offset += buf.AsSpan(offset).IndexOf((byte)'\n') + 1;
        }

        return left + offset;
    }

    // Returns false once the byte limit is reached.
    private static async ValueTask<bool> WriteLineAsync(byte[] raw, ContainerLogOptions options, Stream output, WriterState state, CancellationToken ct)
    {
        if (!CriLogParser.TryParse(raw, out var line))
        {
            return true;
        }

        var wasNewLine = state.NewLine;
        state.NewLine = !line.Partial;
        if (options.Since is { } since && line.Timestamp < since)
        {
            return true;
        }

        var content = line.Content;
        if (options.Timestamps && wasNewLine)
        {
            var prefix = Encoding.ASCII.GetBytes(CriLogParser.FormatRfc3339Nano(line.TimestampText.Span) + " ");
            var joined = new byte[prefix.Length + content.Length];
            prefix.CopyTo(joined, 0);
            content.Span.CopyTo(joined.AsSpan(prefix.Length));
            content = joined;
        }

        if (content.Length > state.Remaining)
        {
            content = content[..(int)state.Remaining];
        }

        await output.WriteAsync(content, ct).ConfigureAwait(false);
        state.Remaining -= content.Length;
        return state.Remaining > 0;
    }

    private sealed class WriterState
    {
        public bool NewLine { get; set; } = true;

        public long Remaining { get; set; }
    }
}
