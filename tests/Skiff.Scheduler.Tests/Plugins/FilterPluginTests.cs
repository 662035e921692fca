using k8s.Models;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Plugins.InterPodAffinity;
using Skiff.Scheduler.Plugins.NodeAffinity;
using Skiff.Scheduler.Plugins.NodeName;
using Skiff.Scheduler.Plugins.NodePorts;
using Skiff.Scheduler.Plugins.NodeUnschedulable;
using Skiff.Scheduler.Plugins.TaintToleration;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Plugins;

/// <summary>Filter verdicts and upstream's reason strings (the FailedScheduling histogram is built from them).</summary>
public sealed class FilterPluginTests
{
    // Upstream nodename TestNodeName.
    [Theory]
    [InlineData(null, null)]
    [InlineData("foo", null)]
    [InlineData("bar", "node(s) didn't match the requested node name")]
    public void NodeName(string? requested, string? expected)
    {
        var pod = Make.Pod("p");
        pod.Spec.NodeName = requested;
        Assert.Equal(expected, new NodeName().Filter(new CycleState(), pod, Make.Node("foo"))?.Message);
    }

    // Upstream nodeunschedulable TestNodeUnschedulable.
    [Theory]
    [InlineData(false, false, null)]
    [InlineData(true, false, "node(s) were unschedulable")]
    [InlineData(true, true, null)]
    public void NodeUnschedulable(bool cordoned, bool tolerates, string? expected)
    {
        var node = Make.Node("n");
        node.Node.Spec.Unschedulable = cordoned;
        var pod = Make.Pod("p");
        if (tolerates)
        {
            pod.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        }

        var s = new NodeUnschedulable().Filter(new CycleState(), pod, node);
        Assert.Equal(expected, s?.Message);
        Assert.True(s is null || s.Code == Code.UnschedulableAndUnresolvable);
    }

    // Upstream nodeports TestNodePorts: same port and protocol conflict when either IP is 0.0.0.0 or both are equal.
    [Theory]
    [InlineData("TCP", "127.0.0.1", 8080, "TCP", "127.0.0.1", 8080, true)]
    [InlineData("UDP", "127.0.0.1", 8080, "TCP", "127.0.0.1", 8080, false)]
    [InlineData("TCP", "127.0.0.1", 8080, "TCP", "127.0.0.2", 8080, false)]
    [InlineData("TCP", "0.0.0.0", 8080, "TCP", "127.0.0.1", 8080, true)]
    [InlineData("TCP", "127.0.0.1", 8001, "TCP", "127.0.0.1", 8080, false)]
    public void NodePorts(string p1, string ip1, int port1, string p2, string ip2, int port2, bool conflict)
    {
        static V1Pod WithPort(string name, string proto, string ip, int port)
        {
            var pod = Make.Pod(name);
            pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = port, HostPort = port, HostIP = ip, Protocol = proto }];
            return pod;
        }

        var node = Make.Node("n", pods: WithPort("old", p1, ip1, port1));
        var pod = WithPort("new", p2, ip2, port2);
        var s = new NodePorts().Filter(new CycleState(), pod, node);
        Assert.Equal(conflict ? "node(s) didn't have free ports for the requested pod ports" : null, s?.Message);

        // The same verdict from the ports PreFilter computed once for the cycle.
        var state = new CycleState();
        Assert.Null(new NodePorts().PreFilter(state, pod, [node]));
        Assert.Equal(s?.Message, new NodePorts().Filter(state, pod, node)?.Message);
    }

    // Upstream nodeports PreFilter: a pod without host ports skips the plugin's Filter for the whole cycle.
    [Fact]
    public void NodePorts_PreFilterWithoutHostPorts_Skips()
    {
        var pod = Make.Pod("p");
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80 }];
        var profile = new Profile("default-scheduler", new Skiff.Scheduler.Plugins.PrioritySort.PrioritySort(), [new NodePorts()]);
        var state = new CycleState();

        Assert.Equal(Code.Skip, new NodePorts().PreFilter(new CycleState(), pod, [])?.Code);
        Assert.Null(profile.RunPreFilter(state, pod, []));
        Assert.Contains(Skiff.Scheduler.Plugins.NodePorts.NodePorts.PluginName, state.SkipFilter);
        Assert.Empty(state.ActiveFilters!);
    }

    // Upstream tainttoleration TestTaintTolerationFilter: "A pod having no tolerations can't be scheduled onto a node
    // with nonempty taints" and the tolerated variants.
    [Theory]
    [InlineData(null, null, "node(s) had untolerated taint {dedicated: user1}")]
    [InlineData("Equal", "user1", null)]
    [InlineData("Equal", "user2", "node(s) had untolerated taint {dedicated: user1}")]
    [InlineData("Exists", null, null)]
    public void TaintToleration(string? op, string? value, string? expected)
    {
        var node = Make.Node("n", taints: [new V1Taint { Key = "dedicated", Value = "user1", Effect = "NoSchedule" }]);
        var pod = Make.Pod("p");
        if (op is not null)
        {
            pod.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = op, Value = value, Effect = "NoSchedule" }];
        }

        Assert.Equal(expected, new TaintToleration().Filter(new CycleState(), pod, node)?.Message);
    }

    [Fact]
    public void TaintToleration_PreferNoScheduleDoesNotFilter()
    {
        var node = Make.Node("n", taints: [new V1Taint { Key = "k", Value = "v", Effect = "PreferNoSchedule" }]);
        Assert.Null(new TaintToleration().Filter(new CycleState(), Make.Pod("p"), node));
    }

    // Upstream nodeaffinity TestNodeAffinity: nodeSelector and required terms (ORed), Gt and matchFields; PreFilter
    // skips (no Filter per node) only a pod with neither.
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("{\"foo\":\"bar\"}", null, true)]
    [InlineData("{\"foo\":\"baz\"}", null, false)]
    [InlineData(null, "In:foo:bar", true)]
    [InlineData(null, "NotIn:foo:bar", false)]
    [InlineData(null, "Gt:num:5", true)]
    [InlineData(null, "Lt:num:5", false)]
    [InlineData(null, "Exists:missing:", false)]
    [InlineData(null, "DoesNotExist:missing:", true)]
    public void NodeAffinity(string? selectorJson, string? requirement, bool fits)
    {
        var node = Make.Node("n", labels: new Dictionary<string, string> { ["foo"] = "bar", ["num"] = "10" });
        var pod = Make.Pod("p");
        if (selectorJson is not null)
        {
            pod.Spec.NodeSelector = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(selectorJson);
        }

        if (requirement?.Split(':') is [var op, var key, var value])
        {
            pod.Spec.Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = value.Length == 0 ? null : [value] }] }],
                    },
                },
            };
        }

        var pre = new NodeAffinity().PreFilter(new CycleState(), pod, []);
        Assert.Equal(selectorJson is null && requirement is null ? (Code?)Code.Skip : null, pre?.Code);
        var s = new NodeAffinity().Filter(new CycleState(), pod, node);
        Assert.Equal(fits ? null : "node(s) didn't match Pod's node affinity/selector", s?.Message);
    }

    // Upstream interpodaffinity TestRequiredAffinitySingleNode: anti-affinity against an existing pod, an existing pod's
    // anti-affinity against the incoming one, and affinity (first pod of a self-selecting group may go anywhere).
    [Fact]
    public void InterPodAffinity_AntiAffinity_ExistingAntiAffinity_AndAffinity()
    {
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };
        var term = new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = selector };
        var web = Make.Pod("web", labels: new Dictionary<string, string> { ["app"] = "web" });
        var anti = Make.Pod("anti", labels: new Dictionary<string, string> { ["app"] = "web" });
        anti.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] } };
        var occupied = Make.Node("a", pods: web);
        var empty = Make.Node("b");

        Assert.Equal(new string?[] { InterPodAffinity.ErrReasonAntiAffinity, null }, Run(anti, occupied, empty));

        var guard = Make.Pod("guard");
        guard.Spec.Affinity = anti.Spec.Affinity;
        Assert.Equal(new string?[] { InterPodAffinity.ErrReasonExistingAntiAffinity, null }, Run(web, Make.Node("a", pods: guard), empty));

        var follower = Make.Pod("follower", labels: new Dictionary<string, string> { ["app"] = "web" });
        follower.Spec.Affinity = new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] } };
        Assert.Equal(new string?[] { null, InterPodAffinity.ErrReasonAffinity }, Run(follower, occupied, empty));
        Assert.Equal(new string?[] { null, null }, Run(follower, Make.Node("a"), empty));

        static string?[] Run(V1Pod pod, params NodeInfo[] nodes)
        {
            var plugin = new InterPodAffinity();
            var state = new CycleState();
            plugin.PreFilter(state, pod, nodes);
            return [.. nodes.Select(n => plugin.Filter(state, pod, n)?.Message)];
        }
    }
}
