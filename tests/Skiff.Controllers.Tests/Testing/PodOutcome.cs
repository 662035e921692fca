using k8s.Models;

namespace Skiff.Controllers.Tests.Testing;

/// <summary>What <see cref="JobKubelet"/> makes of a pod: Running (ready or not), or terminated with an exit code.</summary>
/// <param name="Phase">Running, Succeeded or Failed.</param>
/// <param name="ExitCode">The exit code of every container (terminated phases).</param>
/// <param name="Ready">Running pods: whether they are ready.</param>
/// <param name="Conditions">Extra pod conditions to report (e.g. DisruptionTarget).</param>
public sealed record PodOutcome(string Phase, int ExitCode = 0, bool Ready = true, IReadOnlyList<V1PodCondition>? Conditions = null)
{
    public static PodOutcome Succeed { get; } = new("Succeeded");

    public static PodOutcome Running { get; } = new("Running");

    public static PodOutcome Fail(int exitCode, params V1PodCondition[] conditions) => new("Failed", exitCode, false, conditions);
}
