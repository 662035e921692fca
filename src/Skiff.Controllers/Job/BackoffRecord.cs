namespace Skiff.Controllers.Job;

/// <summary>
/// Upstream's <c>backoffRecord</c>: how many pods of a Job failed since its last success, and when the last of them
/// finished. The delay before the next pod is <see cref="RemainingTime"/>.
/// </summary>
internal sealed record BackoffRecord(string Key, int FailuresAfterLastSuccess, DateTimeOffset? LastFailureTime)
{
    /// <summary>Upstream's <c>getRemainingTimeForFailuresCount</c> for this record.</summary>
    public TimeSpan RemainingTime(TimeProvider clock, TimeSpan initial, TimeSpan max) =>
        RemainingTime(clock, initial, max, FailuresAfterLastSuccess, LastFailureTime);

    /// <summary>
    /// <paramref name="initial"/> doubled for each failure after the first, capped at <paramref name="max"/>, less the
    /// time since <paramref name="lastFailure"/>; zero when no failure or already elapsed.
    /// </summary>
    public static TimeSpan RemainingTime(TimeProvider clock, TimeSpan initial, TimeSpan max, int failures, DateTimeOffset? lastFailure)
    {
        if (failures == 0 || lastFailure is not { } last)
        {
            return TimeSpan.Zero;
        }

        var backoff = initial;
        for (var i = 1; i < failures; i++)
        {
            backoff *= 2;
            if (backoff >= max)
            {
                backoff = max;
                break;
            }
        }

        var elapsed = clock.GetUtcNow() - last;
        return backoff < elapsed ? TimeSpan.Zero : backoff - elapsed;
    }
}
