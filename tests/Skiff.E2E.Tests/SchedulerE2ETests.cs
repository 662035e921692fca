using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>The scheduler in <c>skiff up</c> and as <c>skiff scheduler</c>, driven by the real kubectl.</summary>
public sealed class SchedulerE2ETests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string NodeYaml = """
        apiVersion: v1
        kind: Node
        metadata:
          name: n1
          labels: {kubernetes.io/hostname: n1}
        status:
          allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
          capacity: {cpu: "4", memory: 8Gi, pods: "110"}
        """;

    [SkippableFact]
    public async Task Up_BindsAKubectlPodToAKubectlNode_WithEventLeaseAndMetrics()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory"]);
        await skiff.LogLines.WaitForLineAsync(l => l.Contains("started scheduler", StringComparison.Ordinal)).WaitAsync(Deadline);
        await skiff.KubectlOkAsync("create -f -", NodeYaml);
        await skiff.KubectlOkAsync("run web --image=nginx");

        await skiff.KubectlOkAsync("wait --for=jsonpath={.spec.nodeName}=n1 pod/web --timeout=30s");
        var (_, wide, _) = await skiff.KubectlOkAsync("get pod web -o wide --no-headers");
        Assert.Matches(@"\sn1\s", wide);
        var (_, events, _) = await skiff.KubectlOkAsync("get events --field-selector reason=Scheduled -o jsonpath={.items[*].message}");
        Assert.Contains("Successfully assigned default/web to n1", events);
        var (_, holder, _) = await skiff.KubectlOkAsync("get lease -n kube-system kube-scheduler -o jsonpath={.spec.holderIdentity}");
        Assert.NotEmpty(holder);
        var (_, metrics, _) = await skiff.KubectlOkAsync("get --raw /metrics");
        Assert.Matches("""scheduler_schedule_attempts_total\{[^}]*result="scheduled"[^}]*\} [1-9]""", metrics);
        Assert.Contains("scheduler_pending_pods", metrics);
    }

    [SkippableFact]
    public async Task Standalone_WithConfig_SchedulesOnlyItsProfilesPods()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        // No controller manager creates the default service account here: pods pass without ServiceAccount admission
        // (upstream's kube-apiserver alone would refuse them too).
        await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null, ["--storage", "memory", "--disable-admission-plugins", "ServiceAccount"]);
        var config = Path.Combine(skiff.DataDir, "scheduler.yaml");
        await File.WriteAllTextAsync(config, """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: custom
              plugins:
                score:
                  disabled:
                  - name: ImageLocality
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: MostAllocated
            """);
        await using var scheduler = ControllerManagerProcess.StartComponent("scheduler", skiff.Kubeconfig, "--config", config);
        await scheduler.Log.WaitForLineAsync(l => l.Contains("started scheduler", StringComparison.Ordinal)).WaitAsync(Deadline);
        await skiff.KubectlOkAsync("create -f -", NodeYaml);
        await skiff.KubectlOkAsync("run mine --image=nginx --overrides={\"spec\":{\"schedulerName\":\"custom\"}}");
        await skiff.KubectlOkAsync("run theirs --image=nginx");

        await skiff.KubectlOkAsync("wait --for=jsonpath={.spec.nodeName}=n1 pod/mine --timeout=30s");
        var (_, theirs, _) = await skiff.KubectlOkAsync("get pod theirs -o jsonpath={.spec.nodeName}");
        Assert.Equal("", theirs);
        Assert.Equal(0, await scheduler.TerminateAsync());
    }
}
