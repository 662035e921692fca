using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Controllers.Common.History;
using Xunit;

namespace Skiff.Controllers.Tests.Common.History;

public sealed class ControllerHistoryTests
{
    private static V1PodTemplateSpec Template(string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };

    [Fact]
    public void TemplatePatch_IsUpstreamsReplacePatch_WithSortedKeys()
    {
        var patch = ControllerHistory.TemplatePatch(Template("nginx:1"));
        Assert.StartsWith("""{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1","name":"c"}]""", patch, StringComparison.Ordinal);
        var revision = new V1ControllerRevision { Metadata = new V1ObjectMeta { Name = "r" }, Data = JsonNode.Parse(patch) };
        Assert.Equal("nginx:1", ControllerHistory.Template(revision).Spec.Containers[0].Image);
    }

    [Fact]
    public void New_NamesByHash_LabelsAndOwns_AndEqualityIgnoresWireDifferences()
    {
        var parent = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "u1" };
        var a = ControllerHistory.New(parent, "apps/v1", "StatefulSet", Template("nginx:1").Metadata.Labels, ControllerHistory.TemplatePatch(Template("nginx:1")), 1, null);
        var b = ControllerHistory.New(parent, "apps/v1", "StatefulSet", null, ControllerHistory.TemplatePatch(Template("nginx:2")), 2, null);
        Assert.Equal("web-" + a.Metadata.Labels[ControllerHistory.HashLabel], a.Metadata.Name);
        Assert.Equal("web", a.Metadata.Labels["app"]);
        Assert.Equal(("StatefulSet", "u1", true), (a.Metadata.OwnerReferences[0].Kind, a.Metadata.OwnerReferences[0].Uid, a.Metadata.OwnerReferences[0].Controller == true));
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
        Assert.False(ControllerHistory.Equal(a, b));

        // The same data with explicit zeros (as protobuf carries them) is the same revision and hashes the same.
        var node = JsonNode.Parse(ControllerHistory.TemplatePatch(Template("nginx:1")))!;
        node["spec"]!["template"]!["spec"]!["hostNetwork"] = false;
        var c = new V1ControllerRevision { Metadata = new V1ObjectMeta { Name = "x" }, Data = node };
        Assert.True(ControllerHistory.Equal(a, c));
        Assert.Equal(ControllerHistory.Hash(a.Data, null), ControllerHistory.Hash(c.Data, null));
        Assert.NotEqual(ControllerHistory.Hash(a.Data, null), ControllerHistory.Hash(a.Data, 1));
        Assert.Equal([b], ControllerHistory.FindEqual([a, b], b));
        Assert.Equal(3, ControllerHistory.NextRevision([a, b]));
        Assert.Equal(1, ControllerHistory.NextRevision([]));
        Assert.Equal([a, b], ControllerHistory.Sort([b, a]));
    }

    [Fact]
    public void RevisionName_CutsLongPrefixes()
    {
        Assert.Equal(new string('a', 223) + "-h", ControllerHistory.RevisionName(new string('a', 300), "h"));
    }
}
