using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Orders the active queue (upstream <c>QueueSortPlugin</c>).</summary>
public interface IQueueSortPlugin : IPlugin
{
    bool Less(QueuedPodInfo a, QueuedPodInfo b);
}
