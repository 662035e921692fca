namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's <c>WorkEstimate</c> (<c>util/flowcontrol/request/width.go</c>): the seats a request occupies while it
/// executes (<see cref="InitialSeats"/>) and, after it finished, for <see cref="AdditionalLatency"/> (the watch
/// fan-out of a write, <see cref="FinalSeats"/>). The queue set reserves <see cref="MaxSeats"/> for both phases.
/// </summary>
public readonly record struct WorkEstimate(int InitialSeats, int FinalSeats = 0, TimeSpan AdditionalLatency = default)
{
    /// <summary>One seat, no final phase: every request upstream does not estimate otherwise.</summary>
    public static WorkEstimate One { get; } = new(1);

    /// <summary>The most seats the request occupies over its phases.</summary>
    public int MaxSeats => Math.Max(InitialSeats, FinalSeats);
}
