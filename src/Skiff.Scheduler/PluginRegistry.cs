using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.DefaultBinder;
using Skiff.Scheduler.Plugins.DefaultPreemption;
using Skiff.Scheduler.Plugins.ImageLocality;
using Skiff.Scheduler.Plugins.InterPodAffinity;
using Skiff.Scheduler.Plugins.NodeAffinity;
using Skiff.Scheduler.Plugins.NodeName;
using Skiff.Scheduler.Plugins.NodePorts;
using Skiff.Scheduler.Plugins.NodeResourcesBalancedAllocation;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using Skiff.Scheduler.Plugins.NodeUnschedulable;
using Skiff.Scheduler.Plugins.PodTopologySpread;
using Skiff.Scheduler.Plugins.PrioritySort;
using Skiff.Scheduler.Plugins.SchedulingGates;
using Skiff.Scheduler.Plugins.TaintToleration;
using Skiff.Scheduler.Plugins.VolumeBinding;

namespace Skiff.Scheduler;

/// <summary>
/// The in-tree plugins by name (upstream <c>plugins.NewInTreeRegistry</c>) and the default profile's plugin list and
/// score weights (upstream <c>getDefaultPlugins</c> for v1).
/// </summary>
internal static class PluginRegistry
{
    /// <summary>The default plugins in upstream's order, with their default score weights (0 = not a scorer).</summary>
    public static readonly IReadOnlyList<(string Name, int Weight)> Defaults =
    [
        (SchedulingGates.PluginName, 0),
        (PrioritySort.PluginName, 0),
        (NodeUnschedulable.PluginName, 0),
        (NodeName.PluginName, 0),
        (TaintToleration.PluginName, 3),
        (NodeAffinity.PluginName, 2),
        (NodePorts.PluginName, 0),
        (NodeResourcesFit.PluginName, 1),
        (VolumeBinding.PluginName, 0),
        (PodTopologySpread.PluginName, 2),
        (InterPodAffinity.PluginName, 2),
        (DefaultPreemption.PluginName, 0),
        (NodeResourcesBalancedAllocation.PluginName, 1),
        (ImageLocality.PluginName, 1),
        (DefaultBinder.PluginName, 0),
    ];

    /// <summary>Every plugin name this registry knows.</summary>
    public static IEnumerable<string> Names => Defaults.Select(d => d.Name);

    /// <summary>Builds the profile <paramref name="config"/> describes; plugins read other cluster objects through <paramref name="cluster"/>.</summary>
    /// <exception cref="ArgumentException">It enables an unknown plugin.</exception>
    public static Profile Build(ProfileConfig config, Clientset clientset, IClusterLister? cluster = null, IReadOnlyDictionary<string, Func<IPlugin>>? outOfTree = null)
    {
        outOfTree ??= new Dictionary<string, Func<IPlugin>>();
        var names = Defaults.Select(d => d.Name).Where(n => !config.Disabled.Contains("*") && !config.Disabled.Contains(n)).ToList();
        foreach (var n in config.Enabled)
        {
            if (!Names.Contains(n) && !outOfTree.ContainsKey(n))
            {
                throw new ArgumentException($"plugin \"{n}\" does not exist", nameof(config));
            }

            if (!names.Contains(n))
            {
                names.Add(n);
            }
        }

        var plugins = names.Select(n => outOfTree.TryGetValue(n, out var make) ? make() : Create(n, config, clientset, cluster ?? EmptyClusterLister.Instance)).ToList();
        var weights = Defaults.Where(d => d.Weight > 0).ToDictionary(d => d.Name, d => d.Weight, StringComparer.Ordinal);
        foreach (var (k, v) in config.Weights)
        {
            weights[k] = v;
        }

        var sort = plugins.OfType<IQueueSortPlugin>().FirstOrDefault() ?? new PrioritySort();
        return new Profile(config.SchedulerName, sort, plugins.Where(p => p is not IQueueSortPlugin), weights);
    }

    private static IPlugin Create(string name, ProfileConfig config, Clientset clientset, IClusterLister cluster) => name switch
    {
        SchedulingGates.PluginName => new SchedulingGates(),
        PrioritySort.PluginName => new PrioritySort(),
        NodeUnschedulable.PluginName => new NodeUnschedulable(),
        NodeName.PluginName => new NodeName(),
        TaintToleration.PluginName => new TaintToleration(),
        NodeAffinity.PluginName => new NodeAffinity(),
        NodePorts.PluginName => new NodePorts(),
        NodeResourcesFit.PluginName => new NodeResourcesFit(config.ScoringStrategy, config.Shape),
        VolumeBinding.PluginName => new VolumeBinding(clientset, cluster),
        PodTopologySpread.PluginName => new PodTopologySpread(cluster),
        InterPodAffinity.PluginName => new InterPodAffinity(cluster),
        DefaultPreemption.PluginName => new DefaultPreemption(clientset, cluster),
        NodeResourcesBalancedAllocation.PluginName => new NodeResourcesBalancedAllocation(),
        ImageLocality.PluginName => new ImageLocality(),
        DefaultBinder.PluginName => new DefaultBinder(clientset),
        _ => throw new ArgumentException($"plugin \"{name}\" does not exist", nameof(name)),
    };
}
