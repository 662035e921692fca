using Skiff.ApiServer.Registry.Printing;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Printing;

public class HumanDurationTests
{
    // Cases of apimachinery pkg/util/duration/duration_test.go TestHumanDuration, plus the edges.
    [Theory]
    [InlineData(1, "1s")]
    [InlineData(70, "70s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(190, "3m10s")]
    [InlineData(70 * 60, "70m")]
    [InlineData(179 * 60 + 59, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 60 * 5, "3h5m")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(49 * 3600, "2d1h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData((8 * 24 + 2) * 3600, "8d")]
    [InlineData(367L * 24 * 3600, "367d")]
    [InlineData((365L * 2 * 24 + 25) * 3600, "2y1d")]
    [InlineData((365L * 8 * 24 + 2) * 3600, "8y")]
    [InlineData(0, "0s")]
    [InlineData(-1, "0s")]
    [InlineData(-2, "<invalid>")]
    public void Format_UpstreamCases_MatchUpstream(long seconds, string expected)
    {
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Since_MissingTimestamp_IsUnknown()
    {
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UtcNow));
        Assert.Equal("<unknown>", HumanDuration.Since("garbage", DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Since_Rfc3339AndMicroTime_ComputeAgeFromNow()
    {
        var now = DateTimeOffset.Parse("2025-01-01T01:00:00Z");
        Assert.Equal("5m", HumanDuration.Since("2025-01-01T00:55:00Z", now));
        Assert.Equal("90s", HumanDuration.Since("2025-01-01T00:58:30.000000Z", now));
    }
}
