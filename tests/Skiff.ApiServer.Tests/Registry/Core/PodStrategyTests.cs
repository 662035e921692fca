using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Core;
using Xunit;
using static Skiff.ApiServer.Tests.Registry.StrategyHarness;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class PodStrategyTests
{
    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","uid":"u1"},
         "spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]},{"name":"side","image":"busybox:1.36"}]},
         "status":{"phase":"Running"}}
        """;

    [Fact]
    public void Create_AppliesUpstreamDefaultsAndPendingStatus()
    {
        var (pod, errors) = Create(PodStrategy.Instance, Pod);
        Assert.Empty(errors);
        var spec = pod["spec"]!;
        Assert.Equal("Always", (string?)spec["restartPolicy"]);
        Assert.Equal("ClusterFirst", (string?)spec["dnsPolicy"]);
        Assert.Equal("default-scheduler", (string?)spec["schedulerName"]);
        Assert.Equal(30, (int)spec["terminationGracePeriodSeconds"]!);
        Assert.Equal("{}", spec["securityContext"]!.ToJsonString());
        Assert.True((bool)spec["enableServiceLinks"]!);
        Assert.Equal(0, (int)spec["priority"]!);
        Assert.Equal("default", (string?)spec["serviceAccountName"]);
        var web = spec["containers"]![0]!;
        Assert.Equal("Always", (string?)web["imagePullPolicy"]);
        Assert.Equal("/dev/termination-log", (string?)web["terminationMessagePath"]);
        Assert.Equal("File", (string?)web["terminationMessagePolicy"]);
        Assert.Equal("TCP", (string?)web["ports"]![0]!["protocol"]);
        Assert.Equal("IfNotPresent", (string?)spec["containers"]![1]!["imagePullPolicy"]);
        Assert.Equal("""{"phase":"Pending","qosClass":"BestEffort"}""", pod["status"]!.ToJsonString());
    }

    [Theory]
    [InlineData("nginx", "latest")]
    [InlineData("nginx:1.27", "1.27")]
    [InlineData("localhost:5000/app", "latest")]
    [InlineData("localhost:5000/app:v2", "v2")]
    [InlineData("nginx@sha256:abc", "")]
    [InlineData("nginx:1.2@sha256:abc", "1.2")]
    public void ImageTag_LikeUpstreamParser(string image, string tag) => Assert.Equal(tag, PodSpecRules.ImageTag(image));

    [Theory]
    [InlineData("""{"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}""", "Guaranteed")]
    [InlineData("""{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}]}""", "Burstable")]
    [InlineData("""{"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}}}]}""", "Burstable")]
    [InlineData("""{"containers":[{"name":"a"}]}""", "BestEffort")]
    [InlineData("""{"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1000m","memory":"1024Mi"}}}]}""", "Guaranteed")]
    public void QosClass_FromRequestsAndLimits(string spec, string expected) =>
        Assert.Equal(expected, PodStrategy.QosClass(Parse(spec)));

    [Theory]
    [InlineData("""{"metadata":{"name":"p"},"spec":{}}""", "spec.containers: Required value")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}}""", "spec.containers[0].image: Required value")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"image":"x"}]}}""", "spec.containers[0].name: Required value")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}}""", "spec.containers[1].name: Duplicate value: \"a\"")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","ports":[{"containerPort":70000}]}]}}""", "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"a","image":"x"}]}}""", "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","volumeMounts":[{"name":"v","mountPath":"/d"}]}]}}""", "spec.containers[0].volumeMounts[0].name: Not found: \"v\"")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"lots"}}}]}}""", "spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1"},"requests":{"cpu":"2"}}}]}}""", "spec.containers[0].resources.requests[cpu]: Invalid value: \"2\": must be less than or equal to cpu limit of 1")]
    public void ValidateCreate_BadPods_UpstreamErrors(string json, string expected)
    {
        var (_, errors) = Create(PodStrategy.Instance, json);
        Assert.Contains(expected, errors);
    }

    [Fact]
    public void ValidateUpdate_ImageChange_Allowed()
    {
        var (pod, _) = Create(PodStrategy.Instance, Pod);
        var (_, errors) = Update(PodStrategy.Instance, pod, p => p["spec"]!["containers"]![0]!["image"] = "nginx:1.27");
        Assert.Empty(errors);
    }

    [Fact]
    public void ValidateUpdate_TolerationAdditionAndDeadline_Allowed()
    {
        var (pod, _) = Create(PodStrategy.Instance, Pod);
        var (_, errors) = Update(PodStrategy.Instance, pod, p =>
        {
            // An update may only add tolerations.
            (p["spec"]!["tolerations"] ??= new JsonArray()).AsArray().Add(new JsonObject { ["key"] = "k", ["operator"] = "Exists" });
            p["spec"]!["activeDeadlineSeconds"] = 60;
        });
        Assert.Empty(errors);
    }

    [Fact]
    public void ValidateUpdate_OtherSpecChange_ForbiddenWithUpstreamText()
    {
        var (pod, _) = Create(PodStrategy.Instance, Pod);
        var (_, errors) = Update(PodStrategy.Instance, pod, p => p["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 8080);
        Assert.Equal(["spec: Forbidden: " + PodStrategy.UpdateForbiddenMessage], errors);
    }

    [Fact]
    public void PrepareForUpdate_StatusChangeIgnored_StatusUpdateKeepsSpec()
    {
        var (pod, _) = Create(PodStrategy.Instance, Pod);
        var (updated, _) = Update(PodStrategy.Instance, pod, p => p["status"]!["phase"] = "Running");
        Assert.Equal("Pending", (string?)updated["status"]!["phase"]);

        var statusUpdate = (JsonObject)pod.DeepClone();
        statusUpdate["status"]!["phase"] = "Running";
        statusUpdate["spec"]!["nodeName"] = "sneaky";
        PodStrategy.Instance.PrepareForStatusUpdate(statusUpdate, pod);
        Assert.Equal("Running", (string?)statusUpdate["status"]!["phase"]);
        Assert.Null(statusUpdate["spec"]!["nodeName"]);
    }
}
