namespace Skiff.Robustness.Driver;

/// <summary>A retry pause (while the server is down) that ends quietly on cancellation; never used to synchronise.</summary>
internal static class Pause
{
    public static async Task Async(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
