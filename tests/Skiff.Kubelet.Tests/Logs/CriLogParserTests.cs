using Xunit;
using System.Text;
using Skiff.Kubelet.Logs;

namespace Skiff.Kubelet.Tests.Logs;

public sealed class CriLogParserTests
{
    // Upstream's TestParseLog (pkg/kubelet/kuberuntime/logs/logs_test.go), the CRI cases.
    [Theory]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout F cri stdout test log\n", "stdout", false, "cri stdout test log\n")]
    [InlineData("2016-10-20T18:39:20.57606443Z stderr F cri stderr test log\n", "stderr", false, "cri stderr test log\n")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout P cri stdout partial test log\n", "stdout", true, "cri stdout partial test log")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout P:TAG1:TAG2 cri stdout partial test log\n", "stdout", true, "cri stdout partial test log")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout F \n", "stdout", false, "\n")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout F no newline at the end", "stdout", false, "no newline at the end")]
    public void Parses_UpstreamLines(string line, string stream, bool partial, string content)
    {
        Assert.True(CriLogParser.TryParse(Encoding.UTF8.GetBytes(line), out var parsed));
        Assert.Equal(new DateTimeOffset(2016, 10, 20, 18, 39, 20, TimeSpan.Zero).AddTicks(5760644), parsed.Timestamp);
        Assert.Equal(stream == "stdout" ? CriLogStream.Stdout : CriLogStream.Stderr, parsed.Stream);
        Assert.Equal(partial, parsed.Partial);
        Assert.Equal(content, Encoding.UTF8.GetString(parsed.Content.Span));
        Assert.Equal("2016-10-20T18:39:20.57606443Z", Encoding.ASCII.GetString(parsed.TimestampText.Span));
    }

    [Theory]
    [InlineData("unsupported log format test log\n")]
    [InlineData("{\"log\":\"docker stdout test log\",\"stream\":\"stdout\",\"time\":\"2016-10-20T18:39:20.57606443Z\"}\n")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdin F x\n")]
    [InlineData("2016-10-20T18:39:20.57606443Z stdout X x\n")]
    [InlineData("yesterday stdout F x\n")]
    public void Rejects_OtherFormats(string line) => Assert.False(CriLogParser.TryParse(Encoding.UTF8.GetBytes(line), out _));

    [Theory]
    [InlineData("2016-10-20T18:39:20.576064430Z", "2016-10-20T18:39:20.57606443Z")]
    [InlineData("2016-10-20T18:39:20.000000000Z", "2016-10-20T18:39:20Z")]
    [InlineData("2016-10-20T18:39:20.123456789+08:00", "2016-10-20T18:39:20.123456789+08:00")]
    [InlineData("2016-10-20T18:39:20.5+00:00", "2016-10-20T18:39:20.5Z")]
    public void FormatsTimestamps_AsGoRfc3339Nano(string input, string expected) =>
        Assert.Equal(expected, CriLogParser.FormatRfc3339Nano(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void ParsesOffsets_ToUtc()
    {
        Assert.True(CriLogParser.TryParseTimestamp("2016-10-20T18:39:20.123456789+08:00", out var t));
        Assert.Equal(new DateTimeOffset(2016, 10, 20, 10, 39, 20, TimeSpan.Zero).AddTicks(1234567), t);
    }
}
