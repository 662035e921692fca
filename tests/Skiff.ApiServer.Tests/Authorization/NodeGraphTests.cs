using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// The node graph holds only pods bound to a node (upstream's graph populator ignores unscheduled pods), and the
/// watch that feeds it skips decoding a stored pod that names no node.
/// </summary>
public sealed class NodeGraphTests
{
    private static string Pod(string name, string? node, string extraLabel = "") =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"" + extraLabel + "},"
        + "\"spec\":{" + (node is null ? "" : "\"nodeName\":\"" + node + "\",")
        + "\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"s-" + name + "\"}}],\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";

    private static KeyValue Stored(string json) => new("/registry/pods/default/x", Encoding.UTF8.GetBytes(json), 1, 1);

    [Fact]
    public void SetPod_KeepsBoundPodsOnly_AndForgetsAPodThatLosesItsNode()
    {
        var graph = new NodeGraph();

        graph.SetPod("/registry/pods/default/a", JsonNode.Parse(Pod("a", null))!.AsObject());
        Assert.Equal(0, graph.PodCount);

        graph.SetPod("/registry/pods/default/a", JsonNode.Parse(Pod("a", "n1"))!.AsObject());
        Assert.Equal(1, graph.PodCount);
        Assert.True(graph.PodOnNode("n1", "default", "a"));
        Assert.True(graph.NodeReaches("n1", NodeGraph.Kind.Secret, "default", "s-a"));

        graph.SetPod("/registry/pods/default/a", JsonNode.Parse(Pod("a", null))!.AsObject());
        Assert.Equal(0, graph.PodCount);
        Assert.False(graph.NodeReaches("n1", NodeGraph.Kind.Secret, "default", "s-a"));
    }

    [Fact]
    public void Unscheduled_IsTrueOnlyForJsonWithoutANodeNameToken()
    {
        Assert.True(NodeGraph.Unscheduled(Stored(Pod("a", null))));
        Assert.False(NodeGraph.Unscheduled(Stored(Pod("a", "n1"))));

        // The token elsewhere (a label) only means the pod is decoded and looked at.
        Assert.False(NodeGraph.Unscheduled(Stored(Pod("a", null, ""","labels":{"nodeName":"x"}"""))));

        // Not JSON (another encoding): always decoded.
        Assert.False(NodeGraph.Unscheduled(new KeyValue("/registry/pods/default/x", new byte[] { 0x6b, 0x38, 0x73, 0x00 }, 1, 1)));
    }

    [Fact]
    public async Task Watch_AddsBoundPods_AndLeavesUnscheduledOnesOut()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var storage = new MemoryStorage();
        await storage.CreateAsync("/registry/pods/default/listed-pending", Encoding.UTF8.GetBytes(Pod("listed-pending", null)), cts.Token);
        await storage.CreateAsync("/registry/pods/default/listed-bound", Encoding.UTF8.GetBytes(Pod("listed-bound", "n1")), cts.Token);
        var graph = new NodeGraph();
        await graph.StartAsync(storage, cts.Token);
        Assert.Equal(1, graph.PodCount);
        Assert.True(graph.PodOnNode("n1", "default", "listed-bound"));

        // The watch delivers in order: once the bound pod is in, the pending one before it was seen and left out.
        await storage.CreateAsync("/registry/pods/default/pending", Encoding.UTF8.GetBytes(Pod("pending", null, ""","labels":{"nodeName":"x"}""")), cts.Token);
        await storage.CreateAsync("/registry/pods/default/bound", Encoding.UTF8.GetBytes(Pod("bound", "n2")), cts.Token);
        while (true)
        {
            var change = graph.NextChange;
            if (graph.PodOnNode("n2", "default", "bound"))
            {
                break;
            }

            Assert.True(await NodeGraph.WaitForChangeAsync(change, TimeSpan.FromSeconds(10), cts.Token), "the bound pod never reached the graph");
        }

        Assert.Equal(2, graph.PodCount);
        Assert.True(graph.NodeReaches("n2", NodeGraph.Kind.Secret, "default", "s-bound"));
        Assert.False(graph.NodeReaches("n1", NodeGraph.Kind.Secret, "default", "s-pending"));
        await cts.CancelAsync();
    }
}
