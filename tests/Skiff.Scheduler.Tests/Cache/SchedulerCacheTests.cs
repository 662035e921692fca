using k8s.Models;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Tests.Testing;
using Xunit;

namespace Skiff.Scheduler.Tests.Cache;

public class SchedulerCacheTests
{
    private static V1Node NodeObject(string name) => Make.Node(name).Node;

    private static (SchedulerCache Cache, Snapshot Snapshot) WithNodes(params string[] names)
    {
        var cache = new SchedulerCache();
        foreach (var n in names)
        {
            cache.AddNode(NodeObject(n));
        }

        var snapshot = new Snapshot();
        cache.UpdateSnapshot(snapshot);
        return (cache, snapshot);
    }

    [Fact]
    public void UpdateSnapshot_NewNodes_ListedInNameOrder()
    {
        var (_, snapshot) = WithNodes("c", "a", "b");
        Assert.Equal(["a", "b", "c"], snapshot.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void UpdateSnapshot_AssumedPod_CopiesOnlyThatNodeInPlace()
    {
        var (cache, snapshot) = WithNodes("a", "b", "c");
        var list = snapshot.Nodes;
        var a = snapshot.Nodes[0];
        var c = snapshot.Nodes[2];
        var before = snapshot.Nodes[1];

        cache.AssumePod(Make.Pod("p", containers: ("1", "1Gi")), "b");
        cache.UpdateSnapshot(snapshot);

        Assert.Same(list, snapshot.Nodes);
        Assert.Same(a, snapshot.Nodes[0]);
        Assert.Same(c, snapshot.Nodes[2]);
        Assert.NotSame(before, snapshot.Nodes[1]);
        Assert.Equal("b", snapshot.Nodes[1].Name);
        Assert.Single(snapshot.Nodes[1].Pods);
        Assert.Empty(before.Pods);
    }

    [Fact]
    public void UpdateSnapshot_SeveralChangesBetweenUpdates_AllSeen()
    {
        var (cache, snapshot) = WithNodes("a", "b", "c");
        var p1 = Make.Pod("p1", containers: ("1", "1Gi"));
        cache.AssumePod(p1, "a");
        cache.UpdateSnapshot(snapshot);
        cache.AssumePod(Make.Pod("p2", containers: ("1", "1Gi")), "c");
        cache.AssumePod(Make.Pod("p3", containers: ("1", "1Gi")), "b");
        cache.ForgetPod(p1);
        cache.UpdateSnapshot(snapshot);

        Assert.Equal([0, 1, 1], snapshot.Nodes.Select(n => n.Pods.Count));
    }

    [Fact]
    public void UpdateSnapshot_NodeRemoved_DroppedAndOrderKept()
    {
        var (cache, snapshot) = WithNodes("a", "b", "c");
        cache.RemoveNode(NodeObject("b"));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a", "c"], snapshot.Nodes.Select(n => n.Name));
        Assert.False(snapshot.TryGet("b", out _));

        cache.AddNode(NodeObject("b"));
        cache.AssumePod(Make.Pod("p", containers: ("1", "1Gi")), "a");
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a", "b", "c"], snapshot.Nodes.Select(n => n.Name));
        Assert.Single(snapshot.Nodes[0].Pods);
    }

    [Fact]
    public void UpdateSnapshot_NodeRemovedWithPods_HiddenUntilPodsGoThenForgotten()
    {
        var (cache, snapshot) = WithNodes("a", "b");
        var pod = Make.Pod("p", containers: ("1", "1Gi"));
        pod.Spec.NodeName = "b";
        cache.AddPod(pod);
        cache.RemoveNode(NodeObject("b"));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a"], snapshot.Nodes.Select(n => n.Name));
        Assert.Equal(1, cache.NodeCount);

        cache.RemovePod(pod);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a"], snapshot.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void UpdateSnapshot_PodOnUnknownNode_NodeAppearsOnceItRegisters()
    {
        var (cache, snapshot) = WithNodes("a");
        var pod = Make.Pod("p", containers: ("1", "1Gi"));
        pod.Spec.NodeName = "late";
        cache.AddPod(pod);
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a"], snapshot.Nodes.Select(n => n.Name));

        cache.AddNode(NodeObject("late"));
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(["a", "late"], snapshot.Nodes.Select(n => n.Name));
        Assert.Single(snapshot.Nodes[1].Pods);
    }

    [Fact]
    public void UpdateSnapshot_Unchanged_KeepsEveryCopy()
    {
        var (cache, snapshot) = WithNodes("a", "b");
        var copies = snapshot.Nodes.ToList();
        cache.UpdateSnapshot(snapshot);
        Assert.Equal(copies, snapshot.Nodes);
    }
}
