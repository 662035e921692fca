using Skiff.Scheduler.Plugins.InterPodAffinity;
using Skiff.Scheduler.Plugins.NodeAffinity;
using Skiff.Scheduler.Plugins.NodeName;
using Skiff.Scheduler.Plugins.NodePorts;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using Skiff.Scheduler.Plugins.NodeUnschedulable;
using Skiff.Scheduler.Plugins.PodTopologySpread;
using Skiff.Scheduler.Plugins.TaintToleration;
using Skiff.Scheduler.Plugins.VolumeBinding;

namespace Skiff.Scheduler.Queue;

/// <summary>
/// Which cluster events each in-tree filter plugin registers for (upstream's <c>EventsToRegister</c>, QueueingHints in
/// spirit): an unschedulable pod moves back to the queues on an event only when one of the plugins that rejected it
/// registered for that event. A pod rejected by no known plugin (errors, out-of-tree plugins) moves on every event.
/// </summary>
internal static class EventsToRegister
{
    private static readonly Dictionary<string, ClusterEvent[]> ByPlugin = new(StringComparer.Ordinal)
    {
        [NodeUnschedulable.PluginName] = [ClusterEvent.Node],
        [NodeName.PluginName] = [ClusterEvent.Node],
        [TaintToleration.PluginName] = [ClusterEvent.Node],
        [NodeAffinity.PluginName] = [ClusterEvent.Node],
        [NodePorts.PluginName] = [ClusterEvent.Node, ClusterEvent.AssignedPodDelete],
        [NodeResourcesFit.PluginName] = [ClusterEvent.Node, ClusterEvent.AssignedPodDelete],
        [VolumeBinding.PluginName] = [ClusterEvent.Node, ClusterEvent.Storage],
        [PodTopologySpread.PluginName] = [ClusterEvent.Node, ClusterEvent.AssignedPodAdd, ClusterEvent.AssignedPodUpdate, ClusterEvent.AssignedPodDelete],
        [InterPodAffinity.PluginName] = [ClusterEvent.Node, ClusterEvent.AssignedPodAdd, ClusterEvent.AssignedPodUpdate, ClusterEvent.AssignedPodDelete, ClusterEvent.Namespace],
    };

    /// <summary>Whether <paramref name="e"/> could make a pod rejected by <paramref name="rejectors"/> schedulable.</summary>
    public static bool Interested(IReadOnlyCollection<string> rejectors, ClusterEvent e) =>
        rejectors.Count == 0 || rejectors.Any(r => !ByPlugin.TryGetValue(r, out var events) || events.Contains(e));
}
