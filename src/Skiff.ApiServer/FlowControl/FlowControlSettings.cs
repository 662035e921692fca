namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// API Priority and Fairness settings (upstream <c>--enable-priority-and-fairness</c>, <c>--max-requests-inflight</c>,
/// <c>--max-mutating-requests-inflight</c>). The server's concurrency limit is the sum of the two inflight limits;
/// each Limited priority level gets <c>ceil(ServerCL × NCS / ΣNCS)</c> seats of it.
/// </summary>
public sealed record FlowControlSettings
{
    /// <summary>Whether requests are classified and limited (default true, as upstream).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Upstream <c>--max-requests-inflight</c> (default 400).</summary>
    public int MaxRequestsInflight { get; init; } = 400;

    /// <summary>Upstream <c>--max-mutating-requests-inflight</c> (default 200).</summary>
    public int MaxMutatingRequestsInflight { get; init; } = 200;

    /// <summary>How long a request may wait in a queue before it gets 429 (upstream bounds the wait by a quarter of the 60 s request timeout).</summary>
    public TimeSpan QueueWaitLimit { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether requests are estimated (LIST width, write final seats; default true, as upstream). Off, every request
    /// takes one seat: a switch for benches comparing the two, not an upstream flag.
    /// </summary>
    public bool EstimateWork { get; init; } = true;

    /// <summary>How often the bootstrap configuration is ensured again after start (upstream: every minute).</summary>
    public TimeSpan EnsurePeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the stored object counts for the LIST estimate are refreshed (upstream: every minute).</summary>
    public TimeSpan ObjectCountPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the levels' current limits are recomputed from their seat demand (upstream's 10 s
    /// <c>borrowingAdjustmentPeriod</c>). Zero or less turns borrowing off, so every level keeps its starting limit: for
    /// tests of queuing and rejection at the nominal limits, not an upstream flag.
    /// </summary>
    public TimeSpan BorrowingPeriod { get; init; } = FlowController.BorrowingPeriod;

    /// <summary>The server's concurrency limit: both inflight limits together.</summary>
    public int ServerConcurrencyLimit => Math.Max(1, MaxRequestsInflight + MaxMutatingRequestsInflight);
}
