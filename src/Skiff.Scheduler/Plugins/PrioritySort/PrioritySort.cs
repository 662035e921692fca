using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.PrioritySort;

/// <summary>Upstream's <c>PrioritySort</c>: higher <c>spec.priority</c> first, then the earlier queue timestamp.</summary>
internal sealed class PrioritySort : IQueueSortPlugin, IComparer<QueuedPodInfo>
{
    public const string PluginName = "PrioritySort";

    public string Name => PluginName;

    public bool Less(QueuedPodInfo a, QueuedPodInfo b) => a.Priority > b.Priority || (a.Priority == b.Priority && a.Timestamp < b.Timestamp);

    public int Compare(QueuedPodInfo? x, QueuedPodInfo? y) => x is null || y is null ? 0 : Less(x, y) ? -1 : Less(y, x) ? 1 : 0;
}
