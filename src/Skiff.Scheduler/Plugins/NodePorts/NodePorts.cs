using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.NodePorts;

/// <summary>
/// Upstream's <c>NodePorts</c>: a pod's host ports must be free on the node; ports conflict when protocol and port are
/// equal and either host IP is <c>0.0.0.0</c> or both are the same.
/// </summary>
internal sealed class NodePorts : IFilterPlugin
{
    public const string PluginName = "NodePorts";
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    public string Name => PluginName;

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var (proto, ip, port) in NodeInfo.HostPorts(pod))
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
