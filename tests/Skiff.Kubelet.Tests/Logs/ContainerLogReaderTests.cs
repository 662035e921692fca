using Xunit;
using System.Text;
using Skiff.Kubelet.Logs;

namespace Skiff.Kubelet.Tests.Logs;

public sealed class ContainerLogReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "skiff-log-" + Guid.NewGuid().ToString("N")[..12] + ".log");

    public ContainerLogReaderTests()
    {
        // Upstream's TestReadLogs file, in the CRI format, plus a line split in two partial parts.
        File.WriteAllText(_path,
            "2020-09-27T11:18:01.000000000Z stdout F line1\n" +
            "2020-09-27T11:18:02.000000000Z stderr F line2\n" +
            "2020-09-27T11:18:03.000000000Z stdout F line3\n" +
            "2020-09-27T11:18:04.100000000Z stdout P part\n" +
            "2020-09-27T11:18:04.200000000Z stdout F ial\n");
    }

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(null, null, null, false, "line1\nline2\nline3\npartial\n")]
    [InlineData(2L, null, null, false, "partial\n")] // tail counts file lines (a partial line is one), as upstream
    [InlineData(3L, null, null, false, "line3\npartial\n")]
    [InlineData(10L, null, null, false, "line1\nline2\nline3\npartial\n")]
    [InlineData(0L, null, null, false, "")]
    [InlineData(null, 9L, null, false, "line1\nlin")]
    [InlineData(null, 100L, null, false, "line1\nline2\nline3\npartial\n")]
    [InlineData(null, null, "2020-09-27T11:18:02Z", false, "line2\nline3\npartial\n")]
    [InlineData(null, null, "2020-09-27T11:18:05Z", false, "")]
    [InlineData(3L, null, null, true, "2020-09-27T11:18:03Z line3\n2020-09-27T11:18:04.1Z partial\n")]
    [InlineData(null, 30L, null, true, "2020-09-27T11:18:01Z line1\n202")]
    public async Task Reads_WithOptions(long? tail, long? limit, string? since, bool timestamps, string expected)
    {
        DateTimeOffset? sinceTime = since is null ? null : DateTimeOffset.Parse(since, System.Globalization.CultureInfo.InvariantCulture);
        var options = new ContainerLogOptions { TailLines = tail, LimitBytes = limit, Since = sinceTime, Timestamps = timestamps };
        Assert.Equal(expected, await ReadAsync(options));
    }

    [Fact]
    public async Task Follow_OfAStoppedContainer_ReadsToTheEndAndStops()
    {
        Assert.Equal("line1\nline2\nline3\npartial\n", await ReadAsync(new ContainerLogOptions { Follow = true }));
    }

    [Fact]
    public async Task Follow_SeesAppendedLines_ThenEndsWhenTheContainerStops()
    {
        var running = true;
        var output = new NotifyingStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = ContainerLogReader.ReadAsync(_path, new ContainerLogOptions { Follow = true, TailLines = 0 }, output, () => Volatile.Read(ref running), TimeProvider.System, cts.Token);
        await File.AppendAllTextAsync(_path, "2020-09-27T11:18:05.000000000Z stdout F later\n2020-09-27T11:18:06.000000000Z stdout F inco", cts.Token);
        await output.WaitForAsync("later\n", cts.Token);
        Assert.False(read.IsCompleted);
        await File.AppendAllTextAsync(_path, "mplete\n2020-09-27T11:18:07.000000000Z stdout F last\n", cts.Token);
        Volatile.Write(ref running, false);
        await read;
        Assert.Equal("later\nincomplete\nlast\n", output.Text);
    }

    [Fact]
    public void FindTailLineStart_MatchesUpstream()
    {
        using var s = new MemoryStream(Encoding.ASCII.GetBytes("a\nbb\nccc\n"));
        Assert.Equal(9, ContainerLogReader.FindTailLineStart(s, 0));
        Assert.Equal(5, ContainerLogReader.FindTailLineStart(s, 1));
        Assert.Equal(0, ContainerLogReader.FindTailLineStart(s, 3));
        Assert.Equal(0, ContainerLogReader.FindTailLineStart(s, 7));
        using var big = new MemoryStream(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789\n", 2000))));
        Assert.Equal(22000 - 11 * 500, ContainerLogReader.FindTailLineStart(big, 500));
    }

    private async Task<string> ReadAsync(ContainerLogOptions options)
    {
        using var output = new MemoryStream();
        await ContainerLogReader.ReadAsync(_path, options, output, () => false, TimeProvider.System, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>A stream that lets a test wait until some text was written.</summary>
    private sealed class NotifyingStream : MemoryStream
    {
        private readonly SemaphoreSlim _written = new(0);

        public string Text
        {
            get
            {
                lock (this)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (this)
            {
                Write(buffer.Span);
            }

            _written.Release();
            await Task.CompletedTask;
        }

        public async Task WaitForAsync(string text, CancellationToken ct)
        {
            while (!Text.Contains(text, StringComparison.Ordinal))
            {
                await _written.WaitAsync(ct);
            }
        }
    }
}
