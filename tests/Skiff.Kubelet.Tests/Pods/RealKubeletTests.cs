using System.Net;
using k8s.Models;
using Skiff.Cri.V1;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

/// <summary>The real kubelet on containerd, driven with the real kubectl: pods really run.</summary>
public sealed partial class RealKubeletTests(RealKubeletFixture fx) : IClassFixture<RealKubeletFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private string Pod(string ns, string name, string restartPolicy, string containers, string volumes = "", string extra = "") => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: {{ns}}
        spec:
          nodeName: {{fx.NodeName}}
          restartPolicy: {{restartPolicy}}
          terminationGracePeriodSeconds: 5
        {{extra}}
          containers:
        {{containers}}
        {{volumes}}
        """;

    [SkippableFact]
    public async Task NodeRegistersReadyWithRealCapacityAndRuntimeVersion()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var node = await fx.Clientset.CoreV1().Nodes().GetAsync(fx.NodeName);
        Assert.Equal(fx.Containerd.PodCidr, node.Spec.PodCIDR);
        Assert.StartsWith("containerd://1.", node.Status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal("110", node.Status.Capacity["pods"].ToString());
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Status.Capacity["cpu"].ToString());
        Assert.Contains(node.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        Assert.Equal(10250, node.Status.DaemonEndpoints.KubeletEndpoint.Port);
        var lease = await fx.Clientset.CoordinationV1().Leases("kube-node-lease").GetAsync(fx.NodeName);
        Assert.Equal(fx.NodeName, lease.Spec.HolderIdentity);
    }

    [SkippableFact]
    public async Task TwoContainersShareStorageAndNetwork()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "web", "Always", """
              - name: server
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo shared-hello > /data/index.html; exec httpd -f -p 8080 -h /data"]
                volumeMounts: [{name: data, mountPath: /data}]
              - name: client
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until wget -q -O /tmp/fetched http://localhost:8080/; do sleep 0.2; done; cat /data/index.html > /tmp/read; exec sleep 3600"]
                volumeMounts: [{name: data, mountPath: /data}]
            """, """
              volumes:
              - name: data
                emptyDir: {}
            """));
        var pod = await fx.UntilPodAsync(ns, "web", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.All(c => c.Ready) == true, Deadline);
        var prefix = fx.Containerd.PodCidr[..fx.Containerd.PodCidr.LastIndexOf('.')];
        Assert.StartsWith(prefix + ".", pod.Status.PodIP);
        Assert.All(pod.Status.ContainerStatuses, c => Assert.StartsWith("containerd://", c.ContainerID));
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        await RealKubeletFixture.EventuallyAsync(async () => (await fx.ExecAsync(ns, "web", "client", "cat", "/tmp/fetched")).Trim() == "shared-hello", Deadline, "the client fetched the page");
        Assert.Equal("shared-hello", (await fx.ExecAsync(ns, "web", "client", "cat", "/tmp/read")).Trim());
    }

    [SkippableFact]
    public async Task AlwaysRestartsAFailingContainerWithCrashLoopBackOff()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "crash", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exit 1"]
            """));
        await fx.UntilPodAsync(ns, "crash", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff", Deadline);
        var pod = await fx.UntilPodAsync(ns, "crash", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount >= 2, Deadline);
        var c = pod.Status.ContainerStatuses[0];
        Assert.Equal(1, c.LastState.Terminated.ExitCode);
        Assert.Equal("Error", c.LastState.Terminated.Reason);
        Assert.Equal("Running", pod.Status.Phase);
    }

    [SkippableFact]
    public async Task OnFailureJobStyleSucceedsAndNeverFailsWithoutRestart()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "job", "OnFailure", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "test -f /tmp/x || exit 0"]
            """, extra: """
              initContainers:
              - name: init
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["true"]
            """));
        var done = await fx.UntilPodAsync(ns, "job", p => p.Status?.Phase == "Succeeded", Deadline);
        Assert.Equal(0, done.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal("Completed", done.Status.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal(0, done.Status.InitContainerStatuses[0].State.Terminated.ExitCode);

        await fx.ApplyAsync(Pod(ns, "never", "Never", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo bye > /dev/termination-log; exit 3"]
            """));
        var failed = await fx.UntilPodAsync(ns, "never", p => p.Status?.Phase == "Failed", Deadline);
        var c = failed.Status.ContainerStatuses[0];
        Assert.Equal(3, c.State.Terminated.ExitCode);
        Assert.Equal(0, c.RestartCount);
        Assert.Equal("bye", c.State.Terminated.Message?.Trim());
    }

    [SkippableFact]
    public async Task DeletionWithAGracePeriodEndsTheProcesses()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        var marker = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await fx.ApplyAsync(Pod(ns, "victim", "Always", $$"""
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "{{marker}}"]
            """));
        var pod = await fx.UntilPodAsync(ns, "victim", p => p.Status?.Phase == "Running", Deadline);
        var id = pod.Status.ContainerStatuses[0].ContainerID["containerd://".Length..];
        // Running means StartContainer returned; runc's init execs the command just after, so the process may not be
        // `sleep` yet (seen once in a full run).
        await RealKubeletFixture.EventuallyAsync(() => Task.FromResult(SleepPids(marker).Count > 0), Deadline, "the container's sleep process");
        var (exit, _, err) = await fx.Kubectl.RunAsync(["delete", "pod", "victim", "-n", ns, "--grace-period=2", "--wait=false"]);
        Assert.True(exit == 0, err);
        await fx.UntilPodGoneAsync(ns, "victim", Deadline);
        Assert.Empty(SleepPids(marker));
        var left = await fx.Containerd.Cri.Runtime.ListContainersAsync(new ListContainersRequest());
        Assert.DoesNotContain(left.Containers, c => c.Id == id);
    }

    [SkippableFact]
    public async Task ConfigMapVolumeFollowsUpdates()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.Clientset.CoreV1().ConfigMaps(ns).CreateAsync(new V1ConfigMap { Metadata = new() { Name = "cfg" }, Data = new Dictionary<string, string> { ["greeting"] = "v1" } });
        await fx.ApplyAsync(Pod(ns, "reader", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: cfg, mountPath: /cfg}]
            """, """
              volumes:
              - name: cfg
                configMap: {name: cfg}
            """));
        await fx.UntilPodAsync(ns, "reader", p => p.Status?.Phase == "Running", Deadline);
        Assert.Equal("v1", await fx.ExecAsync(ns, "reader", "c", "cat", "/cfg/greeting"));
        var (exit, _, err) = await fx.Kubectl.RunAsync(["patch", "configmap", "cfg", "-n", ns, "-p", """{"data":{"greeting":"v2"}}"""]);
        Assert.True(exit == 0, err);
        await RealKubeletFixture.EventuallyAsync(async () => await fx.ExecAsync(ns, "reader", "c", "cat", "/cfg/greeting") == "v2", Deadline, "the configmap update in the volume");
    }

    private static List<int> SleepPids(string marker)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")) == "sleep\0" + marker + "\0")
                    {
                        pids.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }

        return pids;
    }
}
