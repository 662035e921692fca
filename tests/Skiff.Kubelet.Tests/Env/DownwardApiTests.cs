using k8s.Models;
using Skiff.Kubelet.Env;
using Xunit;

namespace Skiff.Kubelet.Tests.Env;

public sealed class DownwardApiTests
{
    private static readonly PodNetworkInfo Network = new(["fd00::6", "1.2.3.4"], ["127.0.0.1", "::1"]);

    private static readonly V1Pod Pod = new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "dapi-test-pod-name",
            NamespaceProperty = "downward-api",
            Uid = "0f6a9c1e-uid",
            Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front \"end\"" },
            Annotations = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
        },
        Spec = new V1PodSpec
        {
            NodeName = "node-name",
            ServiceAccountName = "special",
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("64Mi") },
                        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1250m"), ["memory"] = new("100M"), ["hugepages-2Mi"] = new("4Mi") },
                    },
                },
                new V1Container { Name = "sidecar" },
            ],
        },
    };

    private static readonly Dictionary<string, ResourceQuantity> Allocatable = new()
    {
        ["cpu"] = new("4"),
        ["memory"] = new("8Gi"),
        ["ephemeral-storage"] = new("100Gi"),
    };

    [Theory]
    [InlineData("metadata.name", "dapi-test-pod-name")]
    [InlineData("metadata.namespace", "downward-api")]
    [InlineData("metadata.uid", "0f6a9c1e-uid")]
    [InlineData("metadata.labels['app']", "web")]
    [InlineData("metadata.labels['missing']", "")]
    [InlineData("metadata.annotations['b']", "2")]
    [InlineData("metadata.labels", "app=\"web\"\ntier=\"front \\\"end\\\"\"")]
    [InlineData("metadata.annotations", "a=\"1\"\nb=\"2\"")]
    [InlineData("spec.nodeName", "node-name")]
    [InlineData("spec.host", "node-name")]
    [InlineData("spec.serviceAccountName", "special")]
    [InlineData("status.podIP", "1.2.3.4")]
    [InlineData("status.podIPs", "1.2.3.4,fd00::6")]
    [InlineData("status.hostIP", "127.0.0.1")]
    [InlineData("status.hostIPs", "127.0.0.1,::1")]
    public void EnvFieldValue_EverySupportedPath(string path, string expected) =>
        Assert.Equal(expected, DownwardApi.EnvFieldValue(Pod, new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = path }, Network));

    [Fact]
    public void EnvFieldValue_KeepsOneIpPerFamily_NodeFamilyFirst_DroppingInvalidOnes()
    {
        var network = new PodNetworkInfo(["1.2.3.4", "192.168.1.1.", "fd00::6"], ["fd00::1"]);
        Assert.Equal("fd00::6,1.2.3.4", DownwardApi.EnvFieldValue(Pod, new V1ObjectFieldSelector { FieldPath = "status.podIPs" }, network));
        Assert.Equal("fd00::6", DownwardApi.EnvFieldValue(Pod, new V1ObjectFieldSelector { FieldPath = "status.podIP" }, network));
    }

    [Theory]
    [InlineData("v1", "spec.restartPolicy", "unsupported fieldPath: spec.restartPolicy")]
    [InlineData("v1", "status.phase", "unsupported fieldPath: status.phase")]
    [InlineData("v1", "spec.containers", "field label not supported: spec.containers")]
    [InlineData("v1", "spec.nodeName['x']", "field label does not support subscript: spec.nodeName['x']")]
    [InlineData("v2", "metadata.name", "unsupported pod version: v2")]
    public void EnvFieldValue_UnsupportedPaths_FailWithUpstreamsMessage(string version, string path, string message)
    {
        var e = Assert.Throws<DownwardApiException>(() => DownwardApi.EnvFieldValue(Pod, new V1ObjectFieldSelector { ApiVersion = version, FieldPath = path }, Network));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ObjectFieldValue_IsMetadataOnly_AsTheVolumeUsesIt()
    {
        Assert.Equal("web", DownwardApi.ObjectFieldValue(Pod, "metadata.labels['app']"));
        Assert.Equal("unsupported fieldPath: spec.nodeName", Assert.Throws<DownwardApiException>(() => DownwardApi.ObjectFieldValue(Pod, "spec.nodeName")).Message);
        Assert.StartsWith("invalid key subscript in metadata.labels['-bad']: ", Assert.Throws<DownwardApiException>(() => DownwardApi.ObjectFieldValue(Pod, "metadata.labels['-bad']")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app", "limits.cpu", null, "2")]
    [InlineData("app", "limits.cpu", "1m", "1250")]
    [InlineData("app", "requests.cpu", "1m", "250")]
    [InlineData("app", "requests.cpu", null, "1")]
    [InlineData("app", "limits.memory", null, "100000000")]
    [InlineData("app", "limits.memory", "1Mi", "96")]
    [InlineData("app", "requests.memory", "1Mi", "64")]
    [InlineData("app", "requests.memory", "1k", "67109")]
    [InlineData("app", "limits.hugepages-2Mi", "1Mi", "4")]
    [InlineData("app", "limits.ephemeral-storage", "1Gi", "100")]
    [InlineData("sidecar", "limits.cpu", "1m", "4000")]
    [InlineData("sidecar", "limits.memory", "1Gi", "8")]
    [InlineData("sidecar", "requests.cpu", null, "0")]
    public void ResourceFieldValue_DividesAndRoundsUp_DefaultingLimitsToAllocatable(string container, string resource, string? divisor, string expected)
    {
        var selector = new V1ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) };
        var c = Pod.Spec.Containers.Single(x => x.Name == container);
        Assert.Equal(expected, DownwardApi.ResourceFieldValue(Pod, c, selector, Allocatable));

        // containerName selects another container of the pod (the downwardAPI volume's way).
        selector.ContainerName = container;
        Assert.Equal(expected, DownwardApi.ResourceFieldValue(Pod, null, selector, Allocatable));
    }

    [Fact]
    public void ResourceFieldValue_UnknownResourceOrContainer_Fails()
    {
        var c = Pod.Spec.Containers[0];
        Assert.Equal("unsupported container resource : limits.gpu", Assert.Throws<DownwardApiException>(() =>
            DownwardApi.ResourceFieldValue(Pod, c, new V1ResourceFieldSelector { Resource = "limits.gpu" }, Allocatable)).Message);
        Assert.Equal("container nope not found", Assert.Throws<DownwardApiException>(() =>
            DownwardApi.ResourceFieldValue(Pod, null, new V1ResourceFieldSelector { Resource = "limits.cpu", ContainerName = "nope" }, Allocatable)).Message);
    }
}
