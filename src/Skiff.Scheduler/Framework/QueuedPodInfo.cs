using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A pod waiting in the scheduling queue (upstream <c>QueuedPodInfo</c>): when it was first and last queued, how many
/// times scheduling it was attempted, and which plugins rejected it last.
/// </summary>
public sealed class QueuedPodInfo(V1Pod pod, DateTimeOffset timestamp)
{
    public V1Pod Pod { get; set; } = pod;

    /// <summary>When it was last added to the queue (PrioritySort's tie-break).</summary>
    public DateTimeOffset Timestamp { get; set; } = timestamp;

    /// <summary>When it was first added (for the scheduling-attempt latency).</summary>
    public DateTimeOffset InitialAttemptTimestamp { get; set; } = timestamp;

    public int Attempts { get; set; }

    /// <summary>Plugins that rejected it in the last attempt.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    public string Key => Pod.Metadata.NamespaceProperty + "/" + Pod.Metadata.Name;

    public int Priority => Pod.Spec?.Priority ?? 0;
}
