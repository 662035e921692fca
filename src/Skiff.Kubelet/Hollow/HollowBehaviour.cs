using System.Globalization;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// How a hollow pod's containers behave, chosen per pod by annotation (durations in Go's syntax, e.g. <c>3s</c>):
/// <list type="bullet">
/// <item><c>hollow.skiff.dev/start-delay</c>: containers wait in <c>ContainerCreating</c> that long before running.</item>
/// <item><c>hollow.skiff.dev/exit-after</c> + <c>hollow.skiff.dev/exit-code</c> (default 0): each container exits that
/// long after starting; the restartPolicy decides whether it restarts (with CrashLoopBackOff back-off) or the pod ends
/// Succeeded/Failed.</item>
/// <item><c>hollow.skiff.dev/crash-loop: "true"</c>: shorthand for exit-after 0s and exit-code 1 (unless given).</item>
/// <item><c>hollow.skiff.dev/never-ready: "true"</c>: containers run but never become ready.</item>
/// <item><c>hollow.skiff.dev/flip-readiness</c>: readiness flips every period (ready first).</item>
/// <item><c>hollow.skiff.dev/shutdown-delay</c>: on graceful deletion, the containers take that long to stop (capped by
/// the grace period) before the pod is removed; default 0 (they stop on SIGTERM at once).</item>
/// </list>
/// Bad values are ignored (the behaviour is off), as a kubelet ignores unknown annotations.
/// </summary>
public sealed record HollowBehaviour
{
    public const string Prefix = "hollow.skiff.dev/";
    public const string StartDelayKey = Prefix + "start-delay";
    public const string ExitAfterKey = Prefix + "exit-after";
    public const string ExitCodeKey = Prefix + "exit-code";
    public const string CrashLoopKey = Prefix + "crash-loop";
    public const string NeverReadyKey = Prefix + "never-ready";
    public const string FlipReadinessKey = Prefix + "flip-readiness";
    public const string ShutdownDelayKey = Prefix + "shutdown-delay";

    /// <summary>The behaviour of a pod without annotations: start at once, run and be ready forever.</summary>
    public static HollowBehaviour Default { get; } = new();

    public TimeSpan StartDelay { get; init; }

    /// <summary>How long each container runs before it exits; null: forever.</summary>
    public TimeSpan? ExitAfter { get; init; }

    public int ExitCode { get; init; }

    public bool NeverReady { get; init; }

    /// <summary>The readiness flip period; null: no flipping.</summary>
    public TimeSpan? FlipReadiness { get; init; }

    public TimeSpan ShutdownDelay { get; init; }

    /// <summary>Reads the behaviour from a pod's annotations (<see cref="Default"/> when none applies).</summary>
    public static HollowBehaviour Parse(IDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            return Default;
        }

        var crash = Flag(annotations, CrashLoopKey);
        TimeSpan? exitAfter = Duration(annotations, ExitAfterKey) ?? (crash ? TimeSpan.Zero : null);
        var code = annotations.TryGetValue(ExitCodeKey, out var c) && int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : crash ? 1 : 0;
        var flip = Duration(annotations, FlipReadinessKey);
        return new HollowBehaviour
        {
            StartDelay = Duration(annotations, StartDelayKey) ?? TimeSpan.Zero,
            ExitAfter = exitAfter,
            ExitCode = code,
            NeverReady = Flag(annotations, NeverReadyKey),
            FlipReadiness = flip > TimeSpan.Zero ? flip : null,
            ShutdownDelay = Duration(annotations, ShutdownDelayKey) ?? TimeSpan.Zero,
        };
    }

    private static bool Flag(IDictionary<string, string> a, string key) =>
        a.TryGetValue(key, out var v) && v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan? Duration(IDictionary<string, string> a, string key) =>
        a.TryGetValue(key, out var v) && GoDuration.TryParse(v, out var d) ? d : null;
}
