using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Testing.ControlPlane;
using TrainingOperator.Api;
using TrainingOperator.Controllers;
using Xunit;

namespace TrainingOperator.Tests;

/// <summary>The operator end to end on the in-process control plane: what it creates, the status it reports, clean-up.</summary>
public sealed class TrainingJobOperatorTests(OperatorFixture fx) : IClassFixture<OperatorFixture>
{
    private static bool Condition(TrainingJob j, string type, string status = "True") =>
        j.Status?.Conditions?.Any(c => c.Type == type && c.Status == status) == true;

    [Fact]
    public async Task Create_MakesAPodPerReplica_AndAHeadlessServicePerType_WithTfConfig()
    {
        var ns = await fx.NamespaceAsync();
        var job = await fx.Jobs(ns).CreateAsync(Jobs.Create("mnist"));
        var pods = await fx.UntilPodsAsync(ns, l => l.Count == 4);
        Assert.Equal(["mnist-chief-0", "mnist-ps-0", "mnist-worker-0", "mnist-worker-1"], pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
        var services = await fx.UntilServicesAsync(ns, l => l.Count == 3);
        Assert.Equal(["mnist-chief", "mnist-ps", "mnist-worker"], services.Select(s => s.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(services, s => Assert.Equal("None", s.Spec.ClusterIP));
        Assert.All([.. pods.Select(p => p.Metadata), .. services.Select(s => s.Metadata)], m =>
        {
            var owner = Assert.Single(m.OwnerReferences);
            Assert.Equal(("training.skiff.dev/v1", "TrainingJob", "mnist", job.Metadata.Uid, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller));
        });

        var worker1 = pods.Single(p => p.Metadata.Name == "mnist-worker-1");
        Assert.Equal(("mnist-worker-1", "mnist-worker", "Never"), (worker1.Spec.Hostname, worker1.Spec.Subdomain, worker1.Spec.RestartPolicy));
        Assert.Equal("trainer", worker1.Metadata.Labels["app"]);
        Assert.Equal("worker", worker1.Metadata.Labels[ReplicaResources.ReplicaTypeLabel]);
        var tfConfig = JsonNode.Parse(worker1.Spec.Containers[0].Env.Single(e => e.Name == "TF_CONFIG").Value)!;
        Assert.Equal("worker", tfConfig["task"]!["type"]!.GetValue<string>());
        Assert.Equal(1, tfConfig["task"]!["index"]!.GetValue<int>());
        Assert.Equal($"mnist-chief-0.mnist-chief.{ns}.svc:2222", tfConfig["cluster"]!["chief"]![0]!.GetValue<string>());
        Assert.Equal(2, tfConfig["cluster"]!["worker"]!.AsArray().Count);
        Assert.Equal($"mnist-ps-0.mnist-ps.{ns}.svc:2222", tfConfig["cluster"]!["ps"]![0]!.GetValue<string>());

        var created = await fx.UntilJobAsync(ns, "mnist", j => Condition(j, "Created") && j.Status!.ReplicaStatuses?["Worker"].Active == 2);
        Assert.Equal("TrainingJobCreated", created.Status!.Conditions![0].Reason);
        Assert.NotNull(created.Status.StartTime);
        Assert.Equal(RestartPolicy.Never, created.Spec.ReplicaSpecs["Worker"].RestartPolicy);
        Assert.Equal(CleanPodPolicy.Running, created.Spec.CleanPodPolicy);
    }

    [Fact]
    public async Task ChiefRunning_ThenSucceeded_CompletesTheJob_AndDeletesRunningPods()
    {
        var ns = await fx.NamespaceAsync();
        await fx.Jobs(ns).CreateAsync(Jobs.Create("done", workers: 2, ps: 1));
        await fx.UntilPodsAsync(ns, l => l.Count == 4);
        await fx.SetPhaseAsync(ns, "done-chief-0", "Running");
        await fx.SetPhaseAsync(ns, "done-worker-0", "Running");
        var running = await fx.UntilJobAsync(ns, "done", j => Condition(j, "Running"));
        Assert.Equal("Running", running.Status!.Conditions![^1].Type);

        await fx.SetPhaseAsync(ns, "done-worker-1", "Succeeded");
        await fx.SetPhaseAsync(ns, "done-chief-0", "Succeeded");
        var succeeded = await fx.UntilJobAsync(ns, "done", j => Condition(j, "Succeeded"));
        Assert.Equal("Succeeded", succeeded.Status!.Conditions![^1].Type);
        Assert.True(Condition(succeeded, "Running", "False"));
        Assert.NotNull(succeeded.Status.CompletionTime);
        Assert.Equal(1, succeeded.Status.ReplicaStatuses!["Chief"].Succeeded);

        // cleanPodPolicy Running: the pods still running (worker 0, the pending ps) go; finished ones stay for their logs.
        var left = await fx.UntilPodsAsync(ns, l => l.Count == 2);
        Assert.Equal(["done-chief-0", "done-worker-1"], left.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
        await ListWatch.UntilAsync(fx.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "TrainingJobSucceeded" && e.InvolvedObject.Name == "done"));
    }

    [Fact]
    public async Task AFailedReplica_FailsTheJob()
    {
        var ns = await fx.NamespaceAsync();
        await fx.Jobs(ns).CreateAsync(Jobs.Create("broken", workers: 2, ps: 0));
        await fx.UntilPodsAsync(ns, l => l.Count == 3);
        await fx.SetPhaseAsync(ns, "broken-chief-0", "Running");
        await fx.UntilJobAsync(ns, "broken", j => Condition(j, "Running"));
        await fx.SetPhaseAsync(ns, "broken-worker-1", "Failed");
        var failed = await fx.UntilJobAsync(ns, "broken", j => Condition(j, "Failed"));
        var last = failed.Status!.Conditions![^1];
        Assert.Equal(("Failed", "TrainingJobFailed"), (last.Type, last.Reason));
        Assert.Contains("1 Worker replica(s) failed", last.Message, StringComparison.Ordinal);
        Assert.True(Condition(failed, "Running", "False"));

        // A finished job creates nothing more: the failed pod is not replaced.
        Assert.Equal(1, failed.Status.ReplicaStatuses!["Worker"].Failed);
    }

    [Fact]
    public async Task WithoutAChief_WorkerZeroSucceeding_CompletesTheJob()
    {
        var ns = await fx.NamespaceAsync();
        await fx.Jobs(ns).CreateAsync(Jobs.Create("nochief", chief: 0, workers: 2, ps: 0));
        await fx.UntilPodsAsync(ns, l => l.Count == 2);
        await fx.SetPhaseAsync(ns, "nochief-worker-1", "Running");
        await fx.UntilJobAsync(ns, "nochief", j => Condition(j, "Running"));
        await fx.SetPhaseAsync(ns, "nochief-worker-0", "Succeeded");
        await fx.UntilJobAsync(ns, "nochief", j => Condition(j, "Succeeded"));
    }

    [Fact]
    public async Task ADeletedPod_IsRecreated()
    {
        var ns = await fx.NamespaceAsync();
        await fx.Jobs(ns).CreateAsync(Jobs.Create("heal", workers: 1, ps: 0));
        var before = (await fx.UntilPodsAsync(ns, l => l.Count == 2)).Single(p => p.Metadata.Name == "heal-worker-0");
        await fx.Clientset.CoreV1().Pods(ns).DeleteAsync("heal-worker-0");
        await fx.UntilPodsAsync(ns, l => l.Any(p => p.Metadata.Name == "heal-worker-0" && p.Metadata.Uid != before.Metadata.Uid));
    }

    [Fact]
    public async Task DeletingTheJob_GarbageCollectsItsPodsAndServices()
    {
        var ns = await fx.NamespaceAsync();
        await fx.Jobs(ns).CreateAsync(Jobs.Create("gone"));
        await fx.UntilPodsAsync(ns, l => l.Count == 4);
        await fx.UntilServicesAsync(ns, l => l.Count == 3);
        await fx.Jobs(ns).DeleteAsync("gone");
        await fx.UntilPodsAsync(ns, l => l.Count == 0);
        await fx.UntilServicesAsync(ns, l => l.Count == 0);
    }

    [Fact]
    public async Task TheSchemasCelRules_RejectUnknownTypesAndASecondChief()
    {
        var ns = await fx.NamespaceAsync();
        var job = Jobs.Create("invalid", chief: 2);
        job.Spec.ReplicaSpecs["Evaluator"] = job.Spec.ReplicaSpecs["PS"];
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => fx.Jobs(ns).CreateAsync(job));
        Assert.Equal(422, e.Status.Code);
        Assert.Contains("replica types must be Chief, Worker or PS", e.Message, StringComparison.Ordinal);
        Assert.Contains("spec.replicaSpecs.Chief.replicas: Invalid value", e.Message, StringComparison.Ordinal);
        Assert.Contains("a training job has at most one Chief", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ListsTrainingJobs_WithTheStateColumn_AndKeepsTemplateLabels()
    {
        var ns = await fx.NamespaceAsync();
        var yaml = $$"""
            apiVersion: training.skiff.dev/v1
            kind: TrainingJob
            metadata:
              name: from-kubectl
              namespace: {{ns}}
            spec:
              replicaSpecs:
                Worker:
                  replicas: 1
                  template:
                    metadata:
                      labels:
                        team: vision
                    spec:
                      containers:
                      - name: tensorflow
                        image: busybox
            """;
        var (exit, _, err) = await fx.Kubectl.RunAsync(["apply", "-f", "-"], stdin: yaml);
        Assert.True(exit == 0, err);
        var pods = await fx.UntilPodsAsync(ns, l => l.Count == 1);
        Assert.Equal("vision", pods[0].Metadata.Labels["team"]);
        await fx.UntilJobAsync(ns, "from-kubectl", j => Condition(j, "Created"));
        var output = await fx.Kubectl.OkAsync("get", "tj", "-n", ns);
        var lines = output.Split('\n');
        Assert.Matches(@"^NAME\s+STATE\s+AGE$", lines[0]);
        Assert.Matches(@"^from-kubectl\s+Created\s+\S+$", lines[1]);
        var wide = await fx.Kubectl.OkAsync("get", "trainingjobs", "-n", ns, "-o", "wide");
        Assert.Matches(@"^NAME\s+STATE\s+WORKERS\s+AGE$", wide.Split('\n')[0]);
    }
}
