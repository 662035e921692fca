using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>Drives the real kubectl 1.32 against the real <c>skiff up</c> binary.</summary>
public sealed class KubectlTests(SkiffFixture fixture) : IClassFixture<SkiffFixture>
{
    private readonly SkiffProcess _skiff = fixture.Skiff!;

    private const string ConfigMapYaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: e2e-cm
          labels:
            app: web
        data:
          k: v
        """;

    [SkippableFact]
    public async Task Version_ReportsServer132()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (_, stdout, _) = await _skiff.KubectlOkAsync("version");
        Assert.Contains("Server Version: v1.32.4-skiff", stdout);
    }

    [SkippableFact]
    public async Task ClusterInfo_PrintsControlPlane()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (_, stdout, _) = await _skiff.KubectlOkAsync("cluster-info");
        Assert.Contains($"Kubernetes control plane is running at https://127.0.0.1:{_skiff.Port}", stdout);
    }

    [SkippableFact]
    public async Task ApiResources_ListsConfigMaps()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (_, stdout, _) = await _skiff.KubectlOkAsync("api-resources");
        Assert.Matches("configmaps\\s+cm\\s+v1\\s+true\\s+ConfigMap", stdout);
    }

    [SkippableFact]
    public async Task ConfigMap_CreateGetLabelPatchDelete_Works()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var create = await _skiff.KubectlOkAsync("create --validate=false -f -", ConfigMapYaml);
        Assert.Contains("configmap/e2e-cm created", create.Out);

        var get = await _skiff.KubectlAsync("get cm -l app=web");
        Assert.Matches("e2e-cm\\s+1\\s+\\d+s", get.Out);

        Assert.Equal(0, (await _skiff.KubectlArgsAsync(["patch", "cm", "e2e-cm", "-p", "{\"data\":{\"s\":\"1\"}}"])).Exit);
        Assert.Equal(0, (await _skiff.KubectlArgsAsync(["patch", "cm", "e2e-cm", "--type=merge", "-p", "{\"data\":{\"m\":\"2\"}}"])).Exit);
        Assert.Equal(0, (await _skiff.KubectlArgsAsync(["patch", "cm", "e2e-cm", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/data/k\"}]"])).Exit);
        var data = await _skiff.KubectlAsync("get cm e2e-cm -o jsonpath={.data}");
        Assert.Equal("{\"m\":\"2\",\"s\":\"1\"}", data.Out);

        var describe = await _skiff.KubectlAsync("describe cm e2e-cm");
        Assert.Contains("Labels:       app=web", describe.Out);

        var del = await _skiff.KubectlAsync("delete cm e2e-cm");
        Assert.Contains("configmap \"e2e-cm\" deleted", del.Out);
        var missing = await _skiff.KubectlAsync("get cm e2e-cm");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("Error from server (NotFound): configmaps \"e2e-cm\" not found", missing.Err);
    }

    [SkippableFact]
    public async Task ApplyValidateFalse_CreatesThenConfigures()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var first = await _skiff.KubectlOkAsync("apply --validate=false -f -", ConfigMapYaml.Replace("e2e-cm", "e2e-apply"));
        Assert.Contains("configmap/e2e-apply created", first.Out);
        var second = await _skiff.KubectlOkAsync("apply --validate=false -f -", ConfigMapYaml.Replace("e2e-cm", "e2e-apply").Replace("k: v", "k: w"));
        Assert.Contains("configmap/e2e-apply configured", second.Out);
    }

    [SkippableFact]
    public async Task Namespace_CreateProtobufAndDelete_TerminatesThenIsRemoved()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await _skiff.KubectlOkAsync("create namespace e2e-ns");
        await _skiff.KubectlOkAsync("create configmap in-ns -n e2e-ns --from-literal=k=v");
        var del = await _skiff.KubectlAsync("delete namespace e2e-ns --wait=false");
        Assert.Equal(0, del.Exit);

        // Terminating until the namespace controller (5 s grace, as upstream) has emptied it and removed the finalizer.
        var get = await _skiff.KubectlAsync("get ns e2e-ns -o jsonpath={.status.phase}");
        Assert.True(get.Out == "Terminating" || get.Err.Contains("NotFound", StringComparison.Ordinal), get.Out + get.Err);
        await _skiff.KubectlOkAsync("wait --for=delete namespace/e2e-ns --timeout=60s");
        Assert.Contains("NotFound", (await _skiff.KubectlAsync("get configmap in-ns -n e2e-ns")).Err);
    }

    [SkippableFact]
    public async Task GetPodsWide_Empty_SaysNoResources()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (exit, _, stderr) = await _skiff.KubectlAsync("get pods -o wide");
        Assert.Equal(0, exit);
        Assert.Contains("No resources found in default namespace.", stderr);
    }

    [SkippableFact]
    public async Task GetWatch_SeesCreatedObject()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var watch = _skiff.KubectlAsync("get cm -w --request-timeout=8s", timeout: TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(20);

        // Create repeatedly (new names) until the watch has surely started; the watch must report at least one.
        var i = 0;
        while (!watch.IsCompleted && DateTime.UtcNow < deadline)
        {
            await _skiff.KubectlAsync("create --validate=false -f -", ConfigMapYaml.Replace("e2e-cm", $"e2e-w{i++}"));
            await Task.WhenAny(watch, Task.Delay(500));
        }

        var (_, stdout, _) = await watch;
        Assert.Matches("e2e-w\\d+\\s+1\\s+\\d+s", stdout);
    }

    [SkippableFact]
    public async Task AuthCanIAndWhoami_AnsweredForAdmin()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var canI = await _skiff.KubectlOkAsync("auth can-i create deployments");
        Assert.Equal("yes", canI.Out.Trim());
        var whoami = await _skiff.KubectlOkAsync("auth whoami");
        Assert.Matches("Username\\s+kubernetes-admin", whoami.Out);
        Assert.Contains("system:masters", whoami.Out);
    }

    [SkippableFact]
    public async Task GetServices_ShowsKubernetesService()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (exit, stdout, stderr) = await _skiff.KubectlAsync("get svc");
        Assert.True(exit == 0, stderr);
        Assert.Matches("kubernetes\\s+ClusterIP\\s+10\\.0\\.0\\.1\\s+<none>\\s+443/TCP", stdout);
    }

    [SkippableFact]
    public async Task DeleteScheduledPod_GracefulThenForced()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        const string pod = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: e2e-grace
            spec:
              nodeName: e2e-node
              containers:
              - name: c
                image: busybox
            """;
        await _skiff.KubectlOkAsync("create -f -", pod);
        await _skiff.KubectlOkAsync("delete pod e2e-grace --wait=false");
        var get = await _skiff.KubectlAsync("get pod e2e-grace -o jsonpath={.metadata.deletionGracePeriodSeconds}");
        Assert.Equal("30", get.Out.Trim());
        await _skiff.KubectlOkAsync("delete pod e2e-grace --force --grace-period=0");
        var gone = await _skiff.KubectlAsync("get pod e2e-grace");
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains("NotFound", gone.Err);
    }

    [SkippableFact]
    public async Task AuthCanIList_EverythingAllowed()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var list = await _skiff.KubectlOkAsync("auth can-i --list");
        Assert.Matches("\\*\\.\\*\\s+\\[\\]\\s+\\[\\]\\s+\\[\\*\\]", list.Out);
    }
}
