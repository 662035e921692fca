using Skiff.Kubelet.Server;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

/// <summary>
/// Probes, hooks, sidecars and image failures on real containerd (the fake-runtime tests cover their logic; these
/// prove the CRI paths: exec and httpGet probes against real processes, a preStop exec hook, a restartable init
/// container, a pull that cannot succeed).
/// </summary>
public sealed partial class RealKubeletTests
{
    [SkippableFact]
    public async Task FailingLivenessProbeRestartsTheContainer()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "live", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "touch /tmp/alive; exec sleep 3600"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/alive"]}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
        await fx.UntilPodAsync(ns, "live", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null, Deadline);
        Assert.Equal(0, (await fx.Clientset.CoreV1().Pods(ns).GetAsync("live")).Status.ContainerStatuses[0].RestartCount);

        await fx.ExecAsync(ns, "live", "c", "rm", "/tmp/alive");
        var restarted = await fx.UntilPodAsync(ns, "live", p => p.Status?.ContainerStatuses?.FirstOrDefault() is { RestartCount: >= 1, State.Running: not null }, Deadline);
        Assert.NotNull(restarted.Status.ContainerStatuses[0].LastState.Terminated);
    }

    [SkippableFact]
    public async Task HttpReadinessProbeFlipsReadyBothWays()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "ready", "Always", """
              - name: web
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /www; exec httpd -f -p 8080 -h /www"]
                readinessProbe:
                  httpGet: {path: /healthz, port: 8080}
                  periodSeconds: 1
                  failureThreshold: 1
            """));
        await fx.UntilPodAsync(ns, "ready", p => p.Status?.ContainerStatuses?.FirstOrDefault() is { Ready: false, State.Running: not null }, Deadline);

        // The container runs before its shell has made /www: make it here too, or the touch may fail unseen.
        await fx.ExecAsync(ns, "ready", "web", "sh", "-c", "mkdir -p /www && touch /www/healthz");
        var ready = await fx.UntilPodAsync(ns, "ready", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, Deadline);
        Assert.True(ready.Status.ContainerStatuses[0].Ready);

        await fx.ExecAsync(ns, "ready", "web", "rm", "/www/healthz");
        var notReady = await fx.UntilPodAsync(ns, "ready", p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "False") == true, Deadline);
        Assert.Equal(0, notReady.Status.ContainerStatuses[0].RestartCount); // readiness never restarts
    }

    [SkippableFact]
    public async Task PreStopHookRunsBeforeTheContainerStops()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        var dir = Directory.CreateTempSubdirectory("skiff-prestop-").FullName;
        try
        {
            await fx.ApplyAsync(Pod(ns, "hooked", "Always", """
                  - name: c
                    image: docker.io/library/busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sleep", "3600"]
                    volumeMounts: [{name: out, mountPath: /out}]
                    lifecycle:
                      preStop:
                        exec: {command: ["sh", "-c", "echo stopping > /out/prestop"]}
                """, $$"""
                  volumes:
                  - name: out
                    hostPath: {path: {{dir}}, type: Directory}
                """));
            await fx.UntilPodAsync(ns, "hooked", p => p.Status?.Phase == "Running", Deadline);
            Assert.False(File.Exists(Path.Combine(dir, "prestop")));
            var (exit, _, err) = await fx.Kubectl.RunAsync(["delete", "pod", "hooked", "-n", ns, "--grace-period=5", "--wait=false"]);
            Assert.True(exit == 0, err);
            await fx.UntilPodGoneAsync(ns, "hooked", Deadline);
            Assert.Equal("stopping", (await File.ReadAllTextAsync(Path.Combine(dir, "prestop"))).Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task SidecarRunsBesideTheMainContainerAndThePodCompletes()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "withsidecar", "Never", """
              - name: main
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until test -f /shared/sidecar-up; do sleep 0.2; done; echo done"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """, """
              volumes:
              - name: shared
                emptyDir: {}
            """, extra: """
              initContainers:
              - name: sidecar
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                restartPolicy: Always
                command: ["sh", "-c", "touch /shared/sidecar-up; exec sleep 3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
            """));
        var done = await fx.UntilPodAsync(ns, "withsidecar", p => p.Status?.Phase == "Succeeded", Deadline);
        Assert.Equal(0, done.Status.ContainerStatuses.Single(c => c.Name == "main").State.Terminated.ExitCode);
        Assert.NotNull(done.Status.InitContainerStatuses.Single(c => c.Name == "sidecar").State.Terminated);
    }

    [SkippableFact]
    public async Task UnpullableImageBacksOffWithImagePullBackOff()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "nopull", "Always", """
              - name: c
                image: 127.0.0.1:1/skiff/missing:1
                imagePullPolicy: IfNotPresent
            """));
        var pod = await fx.UntilPodAsync(ns, "nopull", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff", Deadline);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Contains("127.0.0.1:1/skiff/missing:1", pod.Status.ContainerStatuses[0].State.Waiting.Message ?? "", StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task APodTheApiAlreadyReportsSucceededIsNeverStartedAgain()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: done
              namespace: {{ns}}
            spec:
              restartPolicy: Never
              containers:
              - {name: c, image: docker.io/library/busybox:latest, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}
            """);

        // As after a kubelet restart: the pod reaches the kubelet with a terminal phase already.
        var (patched, _, _) = await fx.ControlPlane.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/done/status",
            System.Text.Json.Nodes.JsonNode.Parse("""{"status":{"phase":"Succeeded"}}"""), "application/merge-patch+json");
        Assert.Equal(200, patched);
        var (bound, _, _) = await fx.ControlPlane.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/done/binding",
            new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Binding", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "done" },
                ["target"] = new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = fx.NodeName },
            });
        Assert.Equal(201, bound);

        // A pod bound after it runs: by then the kubelet has taken up the first one.
        await fx.ApplyAsync(Pod(ns, "after", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """));
        await fx.UntilPodAsync(ns, "after", p => p.Status?.Phase == "Running", Deadline);
        PodRuntimeInfo? info = null;
        await RealKubeletFixture.EventuallyAsync(() => Task.FromResult((info = fx.Kubelet.Lookup.Find(ns, "done")) is not null), Deadline, "the kubelet's worker for the pod");

        Assert.Null(info!.SandboxId);
        Assert.All(info.Containers.Values, Assert.Null);
        Assert.Equal("Succeeded", (await fx.Clientset.CoreV1().Pods(ns).GetAsync("done")).Status.Phase);
    }
}
