using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>Waits on a condition a real node reaches (network programming, probes) with a deadline; never a bare sleep.</summary>
internal static class RealNodeWait
{
    /// <summary>Re-evaluates <paramref name="check"/> every 200 ms until it holds; fails after <paramref name="deadline"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> check, TimeSpan deadline, string what)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var until = DateTime.UtcNow + deadline;
        while (!await check())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            await timer.WaitForNextTickAsync();
        }
    }
}
