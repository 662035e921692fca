using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The whole cluster on a real node: <c>skiff up</c> (default <c>--runtime auto</c>) starts containerd under its data dir,
/// imports <c>DATA_DIR/images/*.tar</c>, registers a Ready node, and a Deployment's pods really run. Skipped (loudly)
/// where containerd cannot run.
/// </summary>
[Collection(RealNodeCollection.Name)]
public sealed class RealNodeTests
{
    [SkippableFact]
    public async Task SkiffUpRunsADeploymentOnARealNode()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild, "REAL NODE TEST SKIPPED: needs root, /usr/bin/containerd and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        await using var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "auto"]);
        async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out;
        var node = Environment.MachineName.ToLowerInvariant();
        await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
        var info = await Ok("get", "node", node, "-o", "jsonpath={.status.nodeInfo.containerRuntimeVersion} {.status.nodeInfo.kubeletVersion}");
        Assert.Matches(@"^containerd://1\.\S+ v1\.32\.\d+$", info.Trim());

        await Ok("create", "deployment", "web", "--image=docker.io/library/busybox:latest", "--replicas=3", "--", "sleep", "3600");
        await Ok("patch", "deployment", "web", "--type=json", "-p",
            """[{"op":"add","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"IfNotPresent"}]""");
        await Ok("wait", "--for=condition=Available", "deployment/web", "--timeout=120s");
        var pods = await Ok("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.status.phase} {.spec.nodeName} {.status.podIP}{\"\\n\"}{end}");
        var lines = pods.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Count(l => l.StartsWith($"Running {node} 10.42.0.", StringComparison.Ordinal)));

        // The API server reaches the node's kubelet for logs and exec, as kubectl expects.
        await Ok("run", "hello", "--image=docker.io/library/busybox:latest", "--image-pull-policy=IfNotPresent", "--restart=Never", "--", "sh", "-c", "echo hello from skiff");
        await Ok("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/hello", "--timeout=90s");
        Assert.Equal("hello from skiff\n", await Ok("logs", "hello"));
        Assert.Equal("in the pod\n", await Ok("exec", "deployment/web", "--", "echo", "in the pod"));
    }
}
