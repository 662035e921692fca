using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodePorts;

/// <summary>
/// Upstream's <c>NodePorts</c>: a pod's host ports must be free on the node; ports conflict when protocol and port are
/// equal and either host IP is <c>0.0.0.0</c> or both are the same.
/// </summary>
internal sealed class NodePorts : IPreFilterPlugin, IFilterPlugin
{
    public const string PluginName = "NodePorts";
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";
    private const string StateKey = "PreFilter" + PluginName;

    public string Name => PluginName;

    /// <summary>As upstream: the pod's host ports once per cycle, and Skip (no Filter call per node) when it has none.</summary>
    public Status? PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var ports = NodeInfo.HostPorts(pod).ToArray();
        if (ports.Length == 0)
        {
            return Status.Skip;
        }

        state.Write(StateKey, ports);
        return null;
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var (proto, ip, port) in state.Read<(string Protocol, string Ip, int Port)[]>(StateKey) ?? NodeInfo.HostPorts(pod))
        {
            foreach (var used in node.UsedPorts)
            {
                if (used.Protocol == proto && used.Port == port && (used.Ip == ip || used.Ip == "0.0.0.0" || ip == "0.0.0.0"))
                {
                    return Status.Unschedulable(ErrReason);
                }
            }
        }

        return null;
    }
}
