using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

/// <summary>The kubelet's events (upstream's reasons and messages) and its terminal status before the final delete.</summary>
public sealed partial class RealKubeletTests
{
    [SkippableFact]
    public async Task ContainerEventsShowInKubectlDescribeFromTheKubelet()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "evented", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """));
        var pod = await fx.UntilPodAsync(ns, "evented", p => p.Status?.Phase == "Running", Deadline);
        var events = await UntilEventsAsync(ns, "evented", es => es.Any(e => e.Reason == "Started"));
        var pulled = Assert.Single(events, e => e.Reason == "Pulled");
        Assert.Equal("Container image \"docker.io/library/busybox:latest\" already present on machine", pulled.Message);
        Assert.Equal("spec.containers{c}", pulled.InvolvedObject.FieldPath);
        Assert.Equal(pod.Metadata.Uid, pulled.InvolvedObject.Uid);
        Assert.Equal("Normal", pulled.Type);
        Assert.Equal("kubelet", pulled.Source.Component);
        Assert.Equal(fx.NodeName, pulled.Source.Host);
        Assert.Contains(events, e => e.Reason == "Created" && e.Message == "Created container c");
        Assert.Contains(events, e => e.Reason == "Started" && e.Message == "Started container c");

        var (exit, describe, err) = await fx.Kubectl.RunAsync(["describe", "pod", "evented", "-n", ns]);
        Assert.True(exit == 0, err);
        Assert.Matches(@"Normal\s+Pulled\s+\S+\s+kubelet\s+Container image ""docker.io/library/busybox:latest"" already present on machine", describe);
        Assert.Matches(@"Normal\s+Started\s+\S+\s+kubelet\s+Started container c", describe);

        (exit, _, err) = await fx.Kubectl.RunAsync(["delete", "pod", "evented", "-n", ns, "--grace-period=1", "--wait=false"]);
        Assert.True(exit == 0, err);
        await UntilEventsAsync(ns, "evented", es => es.Any(e => e.Reason == "Killing" && e.Message == "Stopping container c"));
    }

    [SkippableFact]
    public async Task CrashLoopImagePullAndMountFailuresRecordWarnings()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "crashy", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exit 1"]
            """));
        await fx.ApplyAsync(Pod(ns, "unpullable", "Always", """
              - name: c
                image: 127.0.0.1:1/skiff/missing:1
                imagePullPolicy: IfNotPresent
            """));
        await fx.ApplyAsync(Pod(ns, "unmountable", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: cfg, mountPath: /cfg}]
            """, """
              volumes:
              - name: cfg
                configMap: {name: nope}
            """));
        var crashy = await fx.UntilPodAsync(ns, "crashy", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff", Deadline);
        var backOff = (await UntilEventsAsync(ns, "crashy", es => es.Any(e => e.Reason == "BackOff"))).First(e => e.Reason == "BackOff");
        Assert.Equal("Warning", backOff.Type);
        Assert.Equal($"Back-off restarting failed container c in pod crashy_{ns}({crashy.Metadata.Uid})", backOff.Message);

        var pull = await UntilEventsAsync(ns, "unpullable", es => es.Any(e => e.Message == "Error: ImagePullBackOff"));
        Assert.Contains(pull, e => e.Reason == "Pulling" && e.Message == "Pulling image \"127.0.0.1:1/skiff/missing:1\"");
        Assert.Contains(pull, e => e.Reason == "Failed" && e.Type == "Warning" && e.Message.StartsWith("Failed to pull image \"127.0.0.1:1/skiff/missing:1\": ", StringComparison.Ordinal));
        Assert.Contains(pull, e => e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
        Assert.Contains(pull, e => e.Reason == "BackOff" && e.Type == "Normal" && e.Message == "Back-off pulling image \"127.0.0.1:1/skiff/missing:1\"");

        var mount = await UntilEventsAsync(ns, "unmountable", es => es.Any(e => e.Reason == "FailedMount"));
        Assert.Contains(mount, e => e.Type == "Warning" && e.Message == "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found");
    }

    [SkippableFact]
    public async Task NodeEventsAreRecordedAtStart()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var events = await ListWatch.UntilAsync(fx.Clientset.CoreV1().Events("default"),
            es => es.Any(e => e.InvolvedObject.Name == fx.NodeName && e.Reason == "NodeReady") && es.Any(e => e.Reason == "NodeAllocatableEnforced"),
            Deadline, new ListOptions { FieldSelector = "involvedObject.name=" + fx.NodeName });
        Assert.Contains(events, e => e.Reason == "Starting" && e.Message == "Starting kubelet." && e.InvolvedObject.Kind == "Node" && e.InvolvedObject.Uid == fx.NodeName);
        Assert.Contains(events, e => e.Reason == "NodeHasSufficientMemory" && e.Message == $"Node {fx.NodeName} status is now: NodeHasSufficientMemory");
        Assert.Contains(events, e => e.Reason == "NodeReady" && e.Source.Component == "kubelet" && e.Source.Host == fx.NodeName);
        Assert.Contains(events, e => e.Reason == "NodeAllocatableEnforced" && e.Message == "Updated Node Allocatable limit across pods" && e.Type == "Normal"
            && e.InvolvedObject.Kind == "Node");
    }

    [SkippableFact]
    public async Task ADeletedPodPostsItsTerminalStatusBeforeTheFinalDelete()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var ns = await fx.NamespaceAsync();
        await fx.ApplyAsync(Pod(ns, "ending", "Always", """
              - name: c
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.2; done"]
            """));
        var pod = await fx.UntilPodAsync(ns, "ending", p => p.Status?.Phase == "Running", Deadline);
        using var cts = new CancellationTokenSource(Deadline);
        var seen = new List<WatchEvent<V1Pod>>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in fx.Clientset.CoreV1().Pods(ns).WatchAsync(new ListOptions { FieldSelector = "metadata.name=ending", ResourceVersion = pod.Metadata.ResourceVersion }, cts.Token))
            {
                seen.Add(e);
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });
        var (exit, _, err) = await fx.Kubectl.RunAsync(["delete", "pod", "ending", "-n", ns, "--grace-period=10", "--wait=false"]);
        Assert.True(exit == 0, err);
        await watch.WaitAsync(cts.Token);

        var final = seen.Last(e => e.Type == WatchEventType.Modified).Object;
        Assert.NotNull(final.Metadata.DeletionTimestamp);
        var c = Assert.Single(final.Status.ContainerStatuses);
        Assert.NotNull(c.State.Terminated);
        Assert.Equal(7, c.State.Terminated.ExitCode); // the container's own exit on SIGTERM, as the runtime saw it
        Assert.Equal("Error", c.State.Terminated.Reason);
        Assert.False(c.Ready);
        Assert.Equal("Failed", final.Status.Phase);
        Assert.Contains(final.Status.Conditions, x => x.Type == "Ready" && x.Status == "False");
    }

    private Task<IReadOnlyList<Corev1Event>> UntilEventsAsync(string ns, string pod, Func<IReadOnlyList<Corev1Event>, bool> predicate) =>
        ListWatch.UntilAsync(fx.Clientset.CoreV1().Events(ns), predicate, Deadline, new ListOptions { FieldSelector = "involvedObject.name=" + pod });
}
