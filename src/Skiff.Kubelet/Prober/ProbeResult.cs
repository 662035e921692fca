namespace Skiff.Kubelet.Prober;

/// <summary>What one probe attempt found (upstream <c>pkg/probe.Result</c>).</summary>
internal enum ProbeResult
{
    /// <summary>The container answered as healthy.</summary>
    Success,

    /// <summary>Healthy, with something worth an event (an httpGet that redirected to another host).</summary>
    Warning,

    /// <summary>The container answered, but not as healthy (or did not answer in time).</summary>
    Failure,

    /// <summary>The probe could not be run (a bad port name, an exec the runtime refused); not counted.</summary>
    Unknown,
}

/// <summary>One probe attempt: the result, its output (for the event) and, for <see cref="ProbeResult.Unknown"/>, why.</summary>
internal sealed record ProbeOutcome(ProbeResult Result, string Output, string? Error = null)
{
    public static ProbeOutcome Errored(string error) => new(ProbeResult.Unknown, string.Empty, error);
}
