using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// kubectl 1.32 on workloads against <c>skiff up</c>: typed-client (protobuf) creates, printing columns,
/// server-side and client-side apply, scale, explain, OpenAPI, field selectors and validation errors.
/// </summary>
public sealed class KubectlWorkloadTests(SkiffFixture fixture) : IClassFixture<SkiffFixture>
{
    private readonly SkiffProcess _skiff = fixture.Skiff!;

    private static string Deployment(string name, int replicas, params (string Name, string Image)[] containers) =>
        $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              containers:
        {string.Concat(containers.Select(c => $"      - name: {c.Name}\n        image: {c.Image}\n"))}
        """;

    private async Task<string> OkAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await _skiff.KubectlArgsAsync(args);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} failed ({exit}): {stderr}");
        return stdout;
    }

    private async Task<string> OkStdinAsync(string stdin, params string[] args)
    {
        var (exit, stdout, stderr) = await _skiff.KubectlArgsAsync(args, stdin);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} failed ({exit}): {stderr}");
        return stdout;
    }

    [SkippableFact]
    public async Task CreateTypedResources_ProtobufBodies_Created()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Assert.Contains("deployment.apps/pb-deploy created", await OkAsync("create", "deployment", "pb-deploy", "--image=nginx"));
        Assert.Contains("job.batch/pb-job created", await OkAsync("create", "job", "pb-job", "--image=busybox"));
        Assert.Contains("secret/pb-secret created", await OkAsync("create", "secret", "generic", "pb-secret", "--from-literal=user=admin"));
        Assert.Contains("service/pb-svc created", await OkAsync("create", "service", "clusterip", "pb-svc", "--tcp=80:8080"));

        Assert.Equal("nginx", await OkAsync("get", "deploy", "pb-deploy", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        Assert.Equal("YWRtaW4=", await OkAsync("get", "secret", "pb-secret", "-o", "jsonpath={.data.user}"));
        Assert.Matches("^10\\.0\\.0\\.\\d+$", await OkAsync("get", "svc", "pb-svc", "-o", "jsonpath={.spec.clusterIP}"));
        Assert.Matches("pb-job\\s+\\w+\\s+0/1", await OkAsync("get", "job", "pb-job"));
    }

    [SkippableFact]
    public async Task GetDeployments_PrintsUpstreamColumns()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await OkStdinAsync(Deployment("cols", 2, ("c", "nginx")), "apply", "-f", "-");

        // The deployment controller creates the ReplicaSet's 2 pods; with no kubelet none becomes ready.
        await OkAsync("wait", "deploy/cols", "--for=jsonpath={.status.updatedReplicas}=2", "--timeout=30s");
        var table = await OkAsync("get", "deploy", "cols");
        Assert.Matches("^NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\n", table);
        Assert.Matches("cols\\s+0/2\\s+2\\s+0\\s+\\d+s", table);
    }

    [SkippableFact]
    public async Task ServerSideApply_TwiceThenConflictThenForce()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Assert.Contains("deployment.apps/ssa serverside-applied", await OkStdinAsync(Deployment("ssa", 1, ("c", "nginx")), "apply", "--server-side", "-f", "-"));
        await OkStdinAsync(Deployment("ssa", 2, ("c", "nginx")), "apply", "--server-side", "-f", "-");
        Assert.Equal("2", await OkAsync("get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));

        var conflict = await _skiff.KubectlArgsAsync(["apply", "--server-side", "--field-manager=other", "-f", "-"], Deployment("ssa", 3, ("c", "nginx")));
        Assert.Equal(1, conflict.Exit);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas", conflict.Err);
        Assert.Equal("2", await OkAsync("get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));

        await OkStdinAsync(Deployment("ssa", 3, ("c", "nginx")), "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-");
        Assert.Equal("3", await OkAsync("get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"));
        var managers = await OkAsync("get", "deploy", "ssa", "--show-managed-fields", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");
        // The deployment controller's writes (revision annotation, status) are recorded as kube-controller-manager's, as upstream.
        Assert.StartsWith("kubectl/Apply other/Apply ", managers);
        Assert.All(managers["kubectl/Apply other/Apply ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            m => Assert.Equal("kube-controller-manager/Update", m));
    }

    [SkippableFact]
    public async Task ClientSideApply_EditedTwice_MergesContainersByName()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Assert.Contains("deployment.apps/csa created", await OkStdinAsync(Deployment("csa", 1, ("a", "nginx"), ("b", "busybox")), "apply", "-f", "-"));

        // A container added by someone else is not in last-applied: the strategic merge keeps it (a strategic merge
        // patch puts new list items first, and $setElementOrder keeps server-only items where they are — upstream's order).
        await OkAsync("patch", "deploy", "csa", "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"envoy\"}]}}}}");
        Assert.Contains("deployment.apps/csa configured", await OkStdinAsync(Deployment("csa", 1, ("a", "nginx"), ("b", "busybox:2")), "apply", "-f", "-"));
        const string images = "jsonpath={range .spec.template.spec.containers[*]}{.name}={.image} {end}";
        Assert.Equal("sidecar=envoy a=nginx b=busybox:2 ", await OkAsync("get", "deploy", "csa", "-o", images));

        // Dropping "a" from the configuration deletes it ($patch: delete by merge key).
        await OkStdinAsync(Deployment("csa", 1, ("b", "busybox:3")), "apply", "-f", "-");
        Assert.Equal("sidecar=envoy b=busybox:3 ", await OkAsync("get", "deploy", "csa", "-o", images));
    }

    [SkippableFact]
    public async Task Explain_PodContainers_FromOpenApiV3()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var text = await OkAsync("explain", "pods.spec.containers");
        Assert.Contains("FIELD: containers <[]Container>", text);
        Assert.Contains("image\t<string>", text);
    }

    [SkippableFact]
    public async Task Scale_Deployment_ThroughScaleSubresource()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await OkAsync("create", "deployment", "scaled", "--image=nginx");
        Assert.Contains("deployment.apps/scaled scaled", await OkAsync("scale", "deploy", "scaled", "--replicas=3"));
        Assert.Equal("3", await OkAsync("get", "deploy", "scaled", "-o", "jsonpath={.spec.replicas}"));

        // --current-replicas: GET and PUT of the Scale object (autoscaling/v1), no warnings.
        var (exit, _, stderr) = await _skiff.KubectlArgsAsync(["scale", "deploy", "scaled", "--current-replicas=3", "--replicas=5"]);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Warning", stderr);
        Assert.Equal("5", await OkAsync("get", "deploy", "scaled", "-o", "jsonpath={.spec.replicas}"));
        var wrong = await _skiff.KubectlArgsAsync(["scale", "deploy", "scaled", "--current-replicas=1", "--replicas=2"]);
        Assert.Equal(1, wrong.Exit);
        Assert.Contains("Expected replicas to be 1, was 5", wrong.Err);
    }

    [SkippableFact]
    public async Task GetRawOpenApiV3_ListsGroupVersions()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var root = await OkAsync("get", "--raw", "/openapi/v3");
        Assert.Contains("\"api/v1\":{\"serverRelativeURL\":\"/openapi/v3/api/v1?hash=", root);
        Assert.Contains("\"apis/apps/v1\"", root);
    }

    [SkippableFact]
    public async Task GetPods_FieldSelectorOnPhase_Filters()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await OkAsync("create", "namespace", "fsel");
        await OkAsync("wait", "--for=create", "serviceaccount/default", "-n", "fsel", "--timeout=30s"); // ServiceAccount admission needs it
        await OkAsync("run", "phase-pod", "-n", "fsel", "--image=nginx");
        var (exit, stdout, stderr) = await _skiff.KubectlArgsAsync(["get", "pods", "-n", "fsel", "--field-selector", "status.phase=Running"]);
        Assert.Equal(0, exit);
        Assert.Equal("", stdout);
        Assert.Contains("No resources found in fsel namespace.", stderr);
        Assert.Matches("phase-pod\\s+0/1\\s+Pending", await OkAsync("get", "pods", "-n", "fsel", "--field-selector", "status.phase=Pending"));
        var bad = await _skiff.KubectlArgsAsync(["get", "pods", "-n", "fsel", "--field-selector", "spec.bogus=x"]);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("field label not supported: spec.bogus", bad.Err);
    }

    [SkippableFact]
    public async Task InvalidObject_ErrorFromServerInvalid_Exit1()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        const string bad = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: {0}
            spec:
              containers:
              - name: c
            """;
        var two = string.Format(bad, "bad1") + "\n---\n" + string.Format(bad, "bad2");
        var (exit, _, stderr) = await _skiff.KubectlArgsAsync(["apply", "-f", "-"], two);
        Assert.Equal(1, exit);
        Assert.Contains("Error from server (Invalid): error when creating \"STDIN\": Pod \"bad1\" is invalid: spec.containers[0].image: Required value", stderr);

        var single = await _skiff.KubectlArgsAsync(["create", "-f", "-"], string.Format(bad, "bad3"));
        Assert.Equal(1, single.Exit);
        Assert.Contains("The Pod \"bad3\" is invalid: spec.containers[0].image: Required value", single.Err);
    }

    [SkippableFact]
    public async Task Drain_NodeWithPod_CordonsAndEvicts()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        const string objects = """
            apiVersion: v1
            kind: Node
            metadata:
              name: drain-node
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: on-node
              namespace: drain
            spec:
              nodeName: drain-node
              containers:
              - name: c
                image: nginx
            """;
        await OkAsync("create", "namespace", "drain");
        await OkAsync("wait", "--for=create", "serviceaccount/default", "-n", "drain", "--timeout=30s"); // ServiceAccount admission needs it
        await OkStdinAsync(objects, "apply", "-f", "-");

        // Cordon (patch), list pods by spec.nodeName, evict (protobuf Eviction), wait until the pod is gone.
        var (exit, stdout, stderr) = await _skiff.KubectlArgsAsync(["drain", "drain-node", "--grace-period=0", "--force", "--timeout=30s"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, stderr);
        Assert.Contains("pod/on-node evicted", stdout);
        Assert.Contains("node/drain-node drained", stdout);
        Assert.Equal("true", await OkAsync("get", "node", "drain-node", "-o", "jsonpath={.spec.unschedulable}"));
        var gone = await _skiff.KubectlArgsAsync(["get", "pod", "on-node", "-n", "drain"]);
        Assert.Contains("NotFound", gone.Err);
    }
}
