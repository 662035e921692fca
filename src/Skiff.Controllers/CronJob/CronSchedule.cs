using Cronos;

namespace Skiff.Controllers.CronJob;

/// <summary>
/// A CronJob's schedule in its time zone, parsed by Cronos (five standard fields or a macro such as <c>@hourly</c>),
/// with upstream's missed-run arithmetic (<c>mostRecentScheduleTime</c> in <c>pkg/controller/cronjob/utils.go</c>).
/// </summary>
internal sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>Parses <paramref name="schedule"/> (standard format, macros allowed) for <paramref name="zone"/>.</summary>
    /// <exception cref="CronFormatException">The schedule does not parse.</exception>
    public static CronSchedule Parse(string schedule, TimeZoneInfo zone) =>
        new(CronExpression.Parse(schedule.Trim(), CronFormat.Standard), zone);

    /// <summary>The IANA time zone <paramref name="name"/> (null: UTC, as the controller manager's zone).</summary>
    /// <returns>False when the name is not a known zone.</returns>
    public static bool TryFindZone(string? name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (name is null)
        {
            return true;
        }

        if (name.Length == 0 || string.Equals(name, "Local", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>The first activation strictly after <paramref name="after"/> (robfig's <c>Schedule.Next</c>), or null.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, _zone, inclusive: false);

    /// <summary>
    /// Upstream's <c>mostRecentScheduleTime</c>: from <paramref name="earliest"/> (lastScheduleTime, else creation,
    /// moved up to now − startingDeadlineSeconds), the latest activation not after <paramref name="now"/> (null if
    /// none) and how many activations were missed.
    /// </summary>
    public (DateTimeOffset? MostRecent, long Missed) MostRecent(DateTimeOffset earliest, DateTimeOffset now)
    {
        if (Next(earliest) is not { } t1 || now < t1)
        {
            return (null, 0);
        }

        if (Next(t1) is not { } t2 || now < t2)
        {
            return (t1, 1);
        }

        // Skip ahead by whole periods (upstream's shortcut for long gaps), then walk to the last activation <= now.
        var period = t2 - t1;
        var missed = (long)((now - t1).Ticks / period.Ticks) + 1;
        var recent = t1 + TimeSpan.FromTicks(period.Ticks * (missed - 1));
        if (recent > now)
        {
            recent = t1;
        }

        for (var t = Next(recent); t is { } tt && tt <= now; t = Next(tt))
        {
            recent = tt;
        }

        return (recent, missed);
    }
}
