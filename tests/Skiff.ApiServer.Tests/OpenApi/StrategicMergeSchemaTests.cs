using Xunit;
using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public class StrategicMergeSchemaTests
{
    private static readonly ISchemaProvider Provider = TestResources.Service();

    [Fact]
    public void ForKind_PodContainers_MergeByName()
    {
        var containers = Provider.ForKind("", "v1", "Pod")!.Field("spec")!.Field("containers")!;
        Assert.Equal("name", containers.PatchMergeKey);
        Assert.Equal(["merge"], containers.PatchStrategies);
        Assert.Equal("map", containers.ListType);
        Assert.Equal(["name"], containers.ListMapKeys);
    }

    [Fact]
    public void ForKind_DeploymentTemplateContainerPorts_MergeByContainerPort()
    {
        var ports = Provider.ForKind("apps", "v1", "Deployment")!
            .Field("spec")!.Field("template")!.Field("spec")!.Field("containers")!.Items!.Field("ports")!;
        Assert.Equal("containerPort", ports.PatchMergeKey);
        Assert.Equal(["containerPort", "protocol"], ports.ListMapKeys);
        var env = Provider.ForKind("apps", "v1", "Deployment")!
            .Field("spec")!.Field("template")!.Field("spec")!.Field("containers")!.Items!.Field("env")!;
        Assert.Equal("name", env.PatchMergeKey);
    }

    [Fact]
    public void ForKind_VolumesAndFinalizersAndConditions_CarryUpstreamStrategies()
    {
        var pod = Provider.ForKind("", "v1", "Pod")!;
        Assert.Equal(["merge", "retainKeys"], pod.Field("spec")!.Field("volumes")!.PatchStrategies);
        Assert.Equal(["merge"], pod.Field("metadata")!.Field("finalizers")!.PatchStrategies);
        Assert.Equal("uid", pod.Field("metadata")!.Field("ownerReferences")!.PatchMergeKey);
        Assert.Equal("type", pod.Field("status")!.Field("conditions")!.PatchMergeKey);
        Assert.Equal("port", Provider.ForKind("", "v1", "Service")!.Field("spec")!.Field("ports")!.PatchMergeKey);
    }

    [Fact]
    public void ForKind_MapField_GivesValueSchemaForAnyKey()
    {
        var labels = Provider.ForKind("", "v1", "Pod")!.Field("metadata")!.Field("labels")!;
        Assert.NotNull(labels.Field("app.kubernetes.io/name"));
        Assert.Null(labels.PatchMergeKey);
        Assert.True(labels.IsMap);
        Assert.False(Provider.ForKind("", "v1", "Pod")!.Field("metadata")!.IsMap);
        Assert.Equal("atomic", Provider.ForKind("apps", "v1", "Deployment")!.Field("spec")!.Field("selector")!.MapType);
    }

    [Fact]
    public void ForKind_AtomicList_HasNoMergeKey()
    {
        var args = Provider.ForKind("", "v1", "Pod")!.Field("spec")!.Field("containers")!.Items!.Field("args")!;
        Assert.Equal("atomic", args.ListType);
        Assert.Null(args.PatchMergeKey);
        Assert.Null(Provider.ForKind("", "v1", "Pod")!.Field("spec")!.Field("noSuchField"));
    }

    [Fact]
    public void ForKind_UnknownKind_IsNull()
    {
        Assert.Null(Provider.ForKind("example.com", "v1", "Nothing"));
    }

    [Fact]
    public void StrategicMergePatch_WithPodSchema_MergesContainersByName()
    {
        var original = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1","env":[{"name":"X","value":"1"}]}]}}
            """)!.AsObject();
        var patch = JsonNode.Parse("""{"spec":{"containers":[{"name":"b","image":"b:2","env":[{"name":"Y","value":"2"}]}]}}""")!.AsObject();

        var result = StrategicMergePatch.Apply(original, patch, Provider.ForKind("", "v1", "Pod"));

        var containers = result["spec"]!["containers"]!.AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("a:1", (string?)containers[0]!["image"]);
        Assert.Equal("b:2", (string?)containers[1]!["image"]);
        Assert.Equal(["X", "Y"], containers[1]!["env"]!.AsArray().Select(e => (string?)e!["name"]).Order());
    }
}
