using System.Threading.Channels;

namespace Skiff.Proxy.Sync;

/// <summary>
/// Upstream's <c>BoundedFrequencyRunner</c> (<c>pkg/util/async</c>): runs a function when asked, but never more often
/// than once per <c>minInterval</c> (requests in between coalesce into one run at the interval's end) and at least once
/// per <c>maxInterval</c> (the periodic sync). Runs never overlap. Clocks come from <see cref="TimeProvider"/>.
/// </summary>
public sealed class BoundedFrequencyRunner(Func<CancellationToken, Task> run, TimeSpan minInterval, TimeSpan maxInterval, TimeProvider time)
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset _lastRun = DateTimeOffset.MinValue;

    /// <summary>Called each time the loop starts waiting on the clock (its timer is armed): lets tests advance a fake clock.</summary>
    internal Action? Waiting { get; set; }

    /// <summary>How many times the function ran.</summary>
    public int Runs { get; private set; }

    /// <summary>Asks for a run as soon as the minimum interval allows (requests coalesce).</summary>
    public void Run() => _requests.Writer.TryWrite(true);

    /// <summary>Runs the loop until <paramref name="ct"/> is cancelled; the first run happens at once.</summary>
    public async Task LoopAsync(CancellationToken ct)
    {
        Run();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Wait for a request, or for the periodic run.
                var now = time.GetUtcNow();
                var dueBy = _lastRun == DateTimeOffset.MinValue ? now : _lastRun + maxInterval;
                if (dueBy > now)
                {
                    using var periodic = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var wait = _requests.Reader.WaitToReadAsync(periodic.Token).AsTask();
                    var timer = Task.Delay(dueBy - now, time, periodic.Token);
                    Waiting?.Invoke();
                    await Task.WhenAny(wait, timer).ConfigureAwait(false);
                    await periodic.CancelAsync().ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }

                // Rate limit: at most one run per minInterval.
                var earliest = _lastRun == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _lastRun + minInterval;
                now = time.GetUtcNow();
                if (earliest > now)
                {
                    var delay = Task.Delay(earliest - now, time, ct);
                    Waiting?.Invoke();
                    await delay.ConfigureAwait(false);
                }

                while (_requests.Reader.TryRead(out _))
                {
                }

                _lastRun = time.GetUtcNow();
                Runs++;
                await run(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
