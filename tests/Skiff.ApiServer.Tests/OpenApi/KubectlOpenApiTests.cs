using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>The real kubectl 1.32 against <see cref="OpenApiTestHost"/>: explain, and create/apply without --validate=false.</summary>
public sealed class KubectlOpenApiTests : IDisposable
{
    private const string Kubectl = "/usr/bin/kubectl";
    private readonly string _home = Directory.CreateTempSubdirectory("skiff-openapi-kubectl-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [SkippableFact]
    public async Task Explain_PodsSpecContainers_ShowsFieldsFromOurSchemas()
    {
        Skip.IfNot(File.Exists(Kubectl), "kubectl is not installed");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);

        var (code, stdout, stderr) = await RunAsync(host, cts.Token, "explain", "pods.spec.containers");

        Assert.True(code == 0, $"kubectl failed ({code}): {stderr}");
        Assert.Contains("FIELD: containers <[]Container>", stdout);
        Assert.Contains("List of containers belonging to the pod", stdout);
        Assert.Matches(@"name\s+<string> -required-", stdout);
        Assert.Contains("imagePullPolicy", stdout);
    }

    [SkippableFact]
    public async Task CreateAndApply_WithDefaultValidation_SendStrictFieldValidationAndStrategicMergePatch()
    {
        Skip.IfNot(File.Exists(Kubectl), "kubectl is not installed");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);
        var file = Path.Combine(_home, "pod.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              namespace: default
            spec:
              containers:
              - name: c
                image: nginx:1.27
            """, cts.Token);

        var create = await RunAsync(host, cts.Token, "create", "-f", file);
        Assert.True(create.Code == 0, $"kubectl create failed ({create.Code}): {create.Stderr}");
        Assert.Contains(host.Requests, r => r.StartsWith("POST /api/v1/namespaces/default/pods?", StringComparison.Ordinal) && r.Contains("fieldValidation=Strict", StringComparison.Ordinal));

        // Existing object last applied with image 1.26: client-side apply computes a strategic merge patch.
        host.StoredPod = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","resourceVersion":"1",
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"image\":\"nginx:1.26\",\"name\":\"c\"}]}}\n"}},
             "spec":{"containers":[{"name":"c","image":"nginx:1.26"}]}}
            """)!.AsObject();
        var apply = await RunAsync(host, cts.Token, "apply", "-f", file);
        Assert.True(apply.Code == 0, $"kubectl apply failed ({apply.Code}): {apply.Stderr}");
        var patch = Assert.Single(host.Requests, r => r.StartsWith("PATCH ", StringComparison.Ordinal));
        Assert.Contains("fieldValidation=Strict", patch);
        Assert.EndsWith("application/strategic-merge-patch+json", patch);
    }

    [SkippableFact]
    public async Task CreateList_ValidatesItemsClientSideAgainstOpenApiV2()
    {
        Skip.IfNot(File.Exists(Kubectl), "kubectl is not installed");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);
        const string Pod = """
              - apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: default}
                spec:
                  containers: [{name: c, image: "nginx:1.27"BOGUS}]
            """;
        var bad = Path.Combine(_home, "bad.yaml");
        await File.WriteAllTextAsync(bad, "apiVersion: v1\nkind: List\nitems:\n" + Pod.Replace("BOGUS", ", colour: red", StringComparison.Ordinal), cts.Token);
        var good = Path.Combine(_home, "good.yaml");
        await File.WriteAllTextAsync(good, "apiVersion: v1\nkind: List\nitems:\n" + Pod.Replace("BOGUS", "", StringComparison.Ordinal), cts.Token);

        var refused = await RunAsync(host, cts.Token, "create", "-f", bad);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("ValidationError(Pod.spec.containers[0]): unknown field \"colour\" in io.k8s.api.core.v1.Container", refused.Stderr);
        Assert.DoesNotContain(host.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));

        var created = await RunAsync(host, cts.Token, "create", "-f", good);
        Assert.True(created.Code == 0, $"kubectl create failed ({created.Code}): {created.Stderr}");
        Assert.Contains(host.Requests, r => r.StartsWith("POST /api/v1/namespaces/default/pods", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task CreateList_CustomResourceItems_FollowCrdV2Rules()
    {
        Skip.IfNot(File.Exists(Kubectl), "kubectl is not installed");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);
        var bad = Path.Combine(_home, "crbad.yaml");
        await File.WriteAllTextAsync(bad, """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: stable.example.com/v1, kind: CronTab, metadata: {name: c}, spec: {cronSpec: x, bogus: 1}}
            """, cts.Token);
        var loose = Path.Combine(_home, "crloose.yaml");
        await File.WriteAllTextAsync(loose, """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: stable.example.com/v1, kind: CronTab, metadata: {name: c}, spec: {cronSpec: x, port: 80, config: {any: [1, {b: 2}]}}}
            - {apiVersion: stable.example.com/v1, kind: Widget, metadata: {name: w}, anything: {goes: true}}
            """, cts.Token);

        // The test host serves no stable.example.com discovery, so kubectl stops at mapping after validating.
        var refused = await RunAsync(host, cts.Token, "create", "-f", bad);
        Assert.Contains("unknown field \"bogus\" in com.example.stable.v1.CronTab.spec", refused.Stderr);

        var accepted = await RunAsync(host, cts.Token, "create", "-f", loose);
        Assert.NotEqual(0, accepted.Code);
        Assert.DoesNotContain("ValidationError", accepted.Stderr);
        Assert.DoesNotContain("error validating", accepted.Stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(OpenApiTestHost host, CancellationToken ct, params string[] args)
    {
        var kubeconfig = Path.Combine(_home, "config");
        await File.WriteAllTextAsync(kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: t, cluster: {server: "{{{host.Url}}}"}}]
            users: [{name: t, user: {}}]
            contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]
            current-context: t
            """, ct);
        var psi = new ProcessStartInfo(Kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--kubeconfig=" + kubeconfig);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = _home;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
