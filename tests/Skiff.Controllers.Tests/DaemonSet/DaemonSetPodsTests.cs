using k8s.Models;
using Skiff.Controllers.DaemonSet;
using Xunit;

namespace Skiff.Controllers.Tests.DaemonSet;

public sealed class DaemonSetPodsTests
{
    private static V1Node Node(string name, Dictionary<string, string>? labels = null, params V1Taint[] taints) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Spec = new V1NodeSpec { Taints = taints } };

    private static V1DaemonSet Set(Action<V1PodSpec>? configure = null)
    {
        var spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] };
        configure?.Invoke(spec);
        return new V1DaemonSet { Metadata = new V1ObjectMeta { Name = "ds" }, Spec = new V1DaemonSetSpec { Template = new V1PodTemplateSpec { Spec = spec } } };
    }

    [Fact]
    public void ShouldRun_HonoursNodeNameSelectorAffinityAndTaints()
    {
        Assert.Equal((true, true), DaemonSetPods.ShouldRun(Node("n"), Set()));
        Assert.Equal((false, false), DaemonSetPods.ShouldRun(Node("n"), Set(s => s.NodeName = "other")));
        Assert.Equal((false, false), DaemonSetPods.ShouldRun(Node("n", new() { ["a"] = "1" }), Set(s => s.NodeSelector = new Dictionary<string, string> { ["a"] = "2" })));
        var affinity = new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "In", Values = ["a", "b"] }] }],
                },
            },
        };
        Assert.Equal((true, true), DaemonSetPods.ShouldRun(Node("n", new() { ["zone"] = "b" }), Set(s => s.Affinity = affinity)));
        Assert.Equal((false, false), DaemonSetPods.ShouldRun(Node("n", new() { ["zone"] = "c" }), Set(s => s.Affinity = affinity)));

        // NoSchedule: not placed, but a running pod stays; NoExecute: neither.
        var noSchedule = new V1Taint { Key = "k", Value = "v", Effect = "NoSchedule" };
        var noExecute = new V1Taint { Key = "k", Value = "v", Effect = "NoExecute" };
        Assert.Equal((false, true), DaemonSetPods.ShouldRun(Node("n", null, noSchedule), Set()));
        Assert.Equal((false, false), DaemonSetPods.ShouldRun(Node("n", null, noExecute), Set()));
        Assert.Equal((true, true), DaemonSetPods.ShouldRun(Node("n", null, noExecute),
            Set(s => s.Tolerations = [new V1Toleration { Key = "k", OperatorProperty = "Exists" }])));
        Assert.Equal((true, true), DaemonSetPods.ShouldRun(Node("n", null, new V1Taint { Key = "k", Effect = "PreferNoSchedule" }), Set()));

        // The default tolerations cover the node-condition taints.
        Assert.Equal((true, true), DaemonSetPods.ShouldRun(Node("n", null,
            new V1Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoExecute" },
            new V1Taint { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" }), Set()));
        var networkUnavailable = new V1Taint { Key = "node.kubernetes.io/network-unavailable", Effect = "NoSchedule" };
        Assert.False(DaemonSetPods.ShouldRun(Node("n", null, networkUnavailable), Set()).ShouldRun);
        Assert.True(DaemonSetPods.ShouldRun(Node("n", null, networkUnavailable), Set(s => s.HostNetwork = true)).ShouldRun);
    }

    [Fact]
    public void CreatePodTemplate_AddsTolerationsAndLabels_AffinityIsReplacedByTheNodeName()
    {
        var ds = Set(s => s.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 30 }]);
        var t = DaemonSetPods.CreatePodTemplate(ds.Spec.Template, 4, "abc");
        Assert.Equal("4", t.Metadata.Labels[DaemonSetPods.TemplateGenerationLabel]);
        Assert.Equal("abc", t.Metadata.Labels["controller-revision-hash"]);
        Assert.Equal(6, t.Spec.Tolerations.Count);
        Assert.Equal(30, t.Spec.Tolerations.Single(x => x.Key == "node.kubernetes.io/not-ready").TolerationSeconds);
        Assert.Null(ds.Spec.Template.Metadata);

        var affinity = DaemonSetPods.ReplaceNodeNameAffinity(new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "zone", OperatorProperty = "Exists" }] }],
                },
            },
        }, "n7");
        var pod = new V1Pod { Metadata = new V1ObjectMeta(), Spec = new V1PodSpec { Affinity = affinity } };
        Assert.Equal("n7", DaemonSetPods.TargetNodeName(pod));
        Assert.Null(Assert.Single(affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms).MatchExpressions);
        pod.Spec.NodeName = "bound";
        Assert.Equal("bound", DaemonSetPods.TargetNodeName(pod));
    }

    [Fact]
    public void IsUpdated_ByHashOrTemplateGeneration()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["controller-revision-hash"] = "h1", [DaemonSetPods.TemplateGenerationLabel] = "2" } } };
        Assert.True(DaemonSetPods.IsUpdated(pod, "h1", 9));
        Assert.True(DaemonSetPods.IsUpdated(pod, "h2", 2));
        Assert.False(DaemonSetPods.IsUpdated(pod, "h2", 3));
        Assert.False(DaemonSetPods.IsUpdated(pod, "", null));
        Assert.Equal(3, DaemonSetController.Scaled((IntOrString)"25%", 10, 1));
        Assert.Equal(2, DaemonSetController.Scaled((IntOrString)"2", 10, 1));
        Assert.Equal(1, DaemonSetController.Scaled(null, 10, 1));
    }
}
