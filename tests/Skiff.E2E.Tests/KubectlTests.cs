using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>Drives the real kubectl 1.32 against the real <c>skiff up</c> binary.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private SkiffProcess _skiff = null!;

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

    public async Task InitializeAsync()
    {
        if (SkiffProcess.KubectlAvailable)
        {
            _skiff = await SkiffProcess.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_skiff is not null)
        {
            await _skiff.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Version_ReportsServer132()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (exit, stdout, _) = await _skiff.KubectlAsync("version");
        Assert.Equal(0, exit);
        Assert.Contains("Server Version: v1.32.4-skiff", stdout);
    }

    [SkippableFact]
    public async Task ClusterInfo_PrintsControlPlane()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (exit, stdout, _) = await _skiff.KubectlAsync("cluster-info");
        Assert.Equal(0, exit);
        Assert.Contains($"Kubernetes control plane is running at https://127.0.0.1:{_skiff.Port}", stdout);
    }

    [SkippableFact]
    public async Task ApiResources_ListsConfigMaps()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var (exit, stdout, _) = await _skiff.KubectlAsync("api-resources");
        Assert.Equal(0, exit);
        Assert.Matches("configmaps\\s+cm\\s+v1\\s+true\\s+ConfigMap", stdout);
    }

    [SkippableFact]
    public async Task ConfigMap_CreateGetLabelPatchDelete_Works()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var create = await _skiff.KubectlAsync("create --validate=false -f -", ConfigMapYaml);
        Assert.True(create.Exit == 0, create.Err);
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
        var first = await _skiff.KubectlAsync("apply --validate=false -f -", ConfigMapYaml.Replace("e2e-cm", "e2e-apply"));
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains("configmap/e2e-apply created", first.Out);
        var second = await _skiff.KubectlAsync("apply --validate=false -f -", ConfigMapYaml.Replace("e2e-cm", "e2e-apply").Replace("k: v", "k: w"));
        Assert.True(second.Exit == 0, second.Err);
        Assert.Contains("configmap/e2e-apply configured", second.Out);
    }

    [SkippableFact]
    public async Task Namespace_CreateProtobufAndDelete_Terminates()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var create = await _skiff.KubectlAsync("create namespace e2e-ns");
        Assert.True(create.Exit == 0, create.Err);
        var del = await _skiff.KubectlAsync("delete namespace e2e-ns --wait=false");
        Assert.Equal(0, del.Exit);
        var get = await _skiff.KubectlAsync("get ns e2e-ns");
        Assert.Matches("e2e-ns\\s+Terminating", get.Out);
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
}
