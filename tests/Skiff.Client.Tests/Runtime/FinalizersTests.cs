using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

public sealed class FinalizersTests
{
    private const string F = "example.com/cleanup";

    [Fact]
    public void AddRemoveContains_InMemory()
    {
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c", Finalizers = ["other"] } };

        Assert.False(Finalizers.Contains(cm, F));
        Assert.True(Finalizers.Add(cm, F));
        Assert.False(Finalizers.Add(cm, F));
        Assert.Equal(["other", F], cm.Metadata.Finalizers);
        Assert.True(Finalizers.Contains(cm, F));

        Assert.True(Finalizers.Remove(cm, F));
        Assert.False(Finalizers.Remove(cm, F));
        Assert.Equal(["other"], cm.Metadata.Finalizers);
        Assert.True(Finalizers.Remove(cm, "other"));
        Assert.Null(cm.Metadata.Finalizers);
    }

    [Fact]
    public void Dynamic_WritesTheJsonToo()
    {
        var obj = new DynamicObject(JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"}}""")!.AsObject());

        Assert.True(Finalizers.Add(obj, F));
        Assert.Equal(F, (string?)obj.Object["metadata"]!["finalizers"]![0]);
        Assert.True(Finalizers.Remove(obj, F));
        Assert.False(obj.Object["metadata"]!.AsObject().ContainsKey("finalizers"));
    }
}
