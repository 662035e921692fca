using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Autoscaling;

/// <summary>
/// The real kubectl against autoscaling/v1 beside v2: <c>kubectl autoscale</c> (which POSTs autoscaling/v1), the
/// autoscale cases of upstream's <c>test/cmd/apps.sh</c> and <c>test/cmd/legacy-script.sh</c> written anew, and
/// <c>kubectl get hpa</c>'s columns.
/// </summary>
public sealed class HorizontalPodAutoscalerKubectlTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string V1Fields = "go-template={{.spec.minReplicas}} {{.spec.maxReplicas}} {{.spec.targetCPUUtilizationPercentage}}";

    private Kubectl Kubectl => new(f.Cp.KubeconfigPath);

    [Fact]
    public async Task AutoscaleDeployment_CreatesTheHpa_AndGetHpaPrintsUpstreamsColumns()
    {
        var k = Kubectl;
        await k.OkAsync("create", "deployment", "web", "--image=busybox");

        var output = await k.OkAsync("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80");

        Assert.Equal("horizontalpodautoscaler.autoscaling/web autoscaled", output);
        Assert.Equal("2 5 80", await k.OkAsync("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", V1Fields));
        Assert.Equal("Utilization 80", await k.OkAsync("get", "hpa", "web", "-o",
            "go-template={{range .spec.metrics}}{{.resource.target.type}} {{.resource.target.averageUtilization}}{{end}}"));
        var table = (await k.OkAsync("get", "hpa", "web")).Split('\n');
        Assert.Equal(["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^web\s+Deployment/web\s+cpu: <unknown>/80%\s+2\s+5\s+0\s+\S+$", table[1]);
        var v1Table = (await k.OkAsync("get", "horizontalpodautoscalers.v1.autoscaling", "web", "--no-headers")).Trim();
        Assert.Matches(@"^web\s+Deployment/web\s+cpu: <unknown>/80%\s+2\s+5\s+0\s+\S+$", v1Table);
    }

    [Fact]
    public async Task AutoscaleReplicationController_AsUpstreamsAppsScript()
    {
        var k = Kubectl;
        var (created, _, err) = await k.RunAsync(["create", "-f", "-"], Frontend);
        Assert.True(created == 0, err);

        // autoscale 1~2 pods, CPU utilization 70%, rc specified by file
        await k.OkAsync("autoscale", "rc", "frontend", "--max=2", "--cpu-percent=70");
        Assert.Equal("1 2 70", await k.OkAsync("get", "horizontalpodautoscalers.v1.autoscaling", "frontend", "-o", V1Fields));
        await k.OkAsync("delete", "hpa", "frontend");

        // autoscale 2~3 pods, no CPU utilization specified: v1 leaves it unset, the conversion applies 80%
        await k.OkAsync("autoscale", "rc", "frontend", "--min=2", "--max=3");
        Assert.Equal("2 3 80", await k.OkAsync("get", "horizontalpodautoscalers.v1.autoscaling", "frontend", "-o", V1Fields));
        await k.OkAsync("delete", "hpa", "frontend");

        // autoscale without specifying --max should fail
        var (exit, _, _) = await k.RunAsync(["autoscale", "rc", "frontend"]);
        Assert.NotEqual(0, exit);

        // dry runs create nothing
        await k.OkAsync("autoscale", "rc", "frontend", "--max=3", "--dry-run=server");
        await k.OkAsync("autoscale", "rc", "frontend", "--max=3", "--dry-run=client");
        var (notFound, _, missing) = await k.RunAsync(["get", "hpa", "frontend"]);
        Assert.NotEqual(0, notFound);
        Assert.Contains("\"frontend\" not found", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetV1Yaml_ShowsTheRoundTripAnnotations_ForV2OnlyFields()
    {
        var k = Kubectl;
        var (applied, _, err) = await k.RunAsync(["apply", "-f", "-"], """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: memory
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: memory}
              maxReplicas: 4
              metrics:
              - type: Resource
                resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
            """);
        Assert.True(applied == 0, err);

        var yaml = await k.OkAsync("get", "horizontalpodautoscalers.v1.autoscaling", "memory", "-o", "yaml");

        Assert.Contains("apiVersion: autoscaling/v1", yaml, StringComparison.Ordinal);
        Assert.Contains("autoscaling.alpha.kubernetes.io/metrics: '[{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"targetAverageValue\":\"100Mi\"}}]'", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("targetCPUUtilizationPercentage", yaml, StringComparison.Ordinal);
        var table = await k.OkAsync("get", "hpa", "memory", "--no-headers");
        Assert.Matches(@"^memory\s+Deployment/memory\s+memory: <unknown>/100Mi\s+1\s+4\s+0\s+\S+$", table);
    }

    private const string Frontend = """
        apiVersion: v1
        kind: ReplicationController
        metadata:
          name: frontend
          labels: {name: frontend}
        spec:
          replicas: 3
          selector: {name: frontend}
          template:
            metadata:
              labels: {name: frontend}
            spec:
              containers:
              - name: php-redis
                image: busybox
        """;
}
