using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.SchedulingGates;

/// <summary>
/// Upstream's <c>SchedulingGates</c> PreEnqueue plugin: a pod with <c>spec.schedulingGates</c> stays out of the active
/// queue (<c>waiting for scheduling gates: [a b]</c>) until an update removes them all.
/// </summary>
internal sealed class SchedulingGates : IPreEnqueuePlugin
{
    public const string PluginName = "SchedulingGates";

    public string Name => PluginName;

    public Status? PreEnqueue(V1Pod pod) =>
        pod.Spec?.SchedulingGates is { Count: > 0 } gates
            ? Status.Unresolvable($"waiting for scheduling gates: [{string.Join(' ', gates.Select(g => g.Name))}]")
            : null;
}
