using Microsoft.Extensions.Logging;
using Skiff.Client.Events;

namespace Skiff.Kubelet.Prober;

/// <summary>What a <see cref="ProbeManager"/> needs besides the runtime's exec.</summary>
public sealed record ProbeManagerOptions
{
    /// <summary>The clock of every period, initial delay, timeout and jitter (a fake one in unit tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where <c>Unhealthy</c> and <c>ProbeWarning</c> events about the pod go; none are written when null.</summary>
    public EventRecorder? Events { get; init; }

    /// <summary>Logs a worker's unexpected errors.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The source of the first probe's jitter (upstream: a random part of periodSeconds while the kubelet is young).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>
    /// Whether <see cref="IProbeManager.IsReady"/> on a container that has no successful readiness result yet triggers an
    /// immediate readiness probe (upstream's <c>UpdatePodStatus</c> does, so a container turns ready without waiting a
    /// whole period). Off only in tests that count probes.
    /// </summary>
    public bool TriggerReadinessOnStatusRead { get; init; } = true;
}
