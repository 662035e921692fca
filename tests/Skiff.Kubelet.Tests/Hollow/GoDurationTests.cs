using Skiff.Kubelet.Hollow;
using Xunit;

namespace Skiff.Kubelet.Tests.Hollow;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("3s", 3000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0", 0)]
    public void Parses(string text, double ms)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("3x")]
    [InlineData("-1s")]
    [InlineData("s")]
    public void Rejects(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(80, "1m20s")]
    [InlineData(300, "5m0s")]
    [InlineData(3700, "1h1m40s")]
    public void FormatsAsGo(int seconds, string text) => Assert.Equal(text, GoDuration.Format(TimeSpan.FromSeconds(seconds)));
}
