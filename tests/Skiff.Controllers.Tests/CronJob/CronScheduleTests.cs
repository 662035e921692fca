using Skiff.Controllers.CronJob;
using Xunit;

namespace Skiff.Controllers.Tests.CronJob;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 7, 12, 0, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("@hourly", "2026-03-07T13:00:00Z")]
    [InlineData("@daily", "2026-03-08T00:00:00Z")]
    [InlineData("@midnight", "2026-03-08T00:00:00Z")]
    [InlineData("@weekly", "2026-03-08T00:00:00Z")]
    [InlineData("@monthly", "2026-04-01T00:00:00Z")]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2027-01-01T00:00:00Z")]
    [InlineData("*/15 * * * *", "2026-03-07T12:15:00Z")]
    public void Macros_AndFields_GiveTheNextActivation(string schedule, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CronSchedule.Parse(schedule, TimeZoneInfo.Utc).Next(Noon));

    [Fact]
    public void MostRecent_CountsMissedActivations()
    {
        var s = CronSchedule.Parse("*/1 * * * *", TimeZoneInfo.Utc);
        Assert.Equal((null, 0), s.MostRecent(Noon, Noon.AddSeconds(20)));
        Assert.Equal((Noon.AddSeconds(30), 1), s.MostRecent(Noon, Noon.AddSeconds(40)));
        var (recent, missed) = s.MostRecent(Noon, Noon.AddMinutes(200));
        Assert.Equal(Noon.AddSeconds(-30).AddMinutes(200), recent);
        Assert.Equal(200, missed);
    }

    [Fact]
    public void TimeZones_FollowDaylightSaving()
    {
        Assert.True(CronSchedule.TryFindZone("America/New_York", out var ny));
        var s = CronSchedule.Parse("30 2 * * *", ny);

        // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 -> 03:00); Cronos runs it at 03:00 EDT.
        var next = s.Next(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5)))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 7, 0, 0, TimeSpan.Zero), next.ToUniversalTime());
        Assert.False(CronSchedule.TryFindZone("Mars/Olympus_Mons", out _));
        Assert.False(CronSchedule.TryFindZone("Local", out _));
        Assert.True(CronSchedule.TryFindZone(null, out var utc));
        Assert.Equal(TimeZoneInfo.Utc, utc);
    }
}
