using Xunit;
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
        Assert.Equal("merge", containers.PatchStrategy);
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
        Assert.Equal("merge,retainKeys", pod.Field("spec")!.Field("volumes")!.PatchStrategy);
        Assert.Equal("merge", pod.Field("metadata")!.Field("finalizers")!.PatchStrategy);
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
}
