using Skiff.ApiServer.Registry.Apps;
using Skiff.ApiServer.Registry.Batch;
using Xunit;
using static Skiff.ApiServer.Tests.Registry.StrategyHarness;

namespace Skiff.ApiServer.Tests.Registry.Apps;

public class WorkloadStrategyTests
{
    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
        """;

    [Fact]
    public void Deployment_Create_UpstreamDefaults()
    {
        var (d, errors) = Create(DeploymentStrategy.Instance, Deployment);
        Assert.Empty(errors);
        var spec = d["spec"]!;
        Assert.Equal(1, (int)spec["replicas"]!);
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}""", spec["strategy"]!.ToJsonString());
        Assert.Equal(10, (int)spec["revisionHistoryLimit"]!);
        Assert.Equal(600, (int)spec["progressDeadlineSeconds"]!);
        Assert.Equal("Always", (string?)spec["template"]!["spec"]!["restartPolicy"]);
        Assert.Equal("Always", (string?)spec["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]);
        Assert.Null(spec["template"]!["spec"]!["enableServiceLinks"]);
        Assert.Equal("{}", d["status"]!.ToJsonString());
        Assert.Equal(["spec"], DeploymentStrategy.Instance.GenerationFields);
    }

    [Fact]
    public void Deployment_SelectorMismatch_UpstreamError()
    {
        var (_, errors) = Create(DeploymentStrategy.Instance, Deployment.Replace("\"labels\":{\"app\":\"web\"}", "\"labels\":{\"app\":\"other\"}"));
        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"], errors);
    }

    [Fact]
    public void Deployment_MissingAndEmptySelector_UpstreamErrors()
    {
        var (_, missing) = Create(DeploymentStrategy.Instance, Deployment.Replace("\"selector\":{\"matchLabels\":{\"app\":\"web\"}},", ""));
        Assert.Contains("spec.selector: Required value", missing);
        var (_, empty) = Create(DeploymentStrategy.Instance, Deployment.Replace("{\"matchLabels\":{\"app\":\"web\"}}", "{}"));
        Assert.Contains("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment", empty);
    }

    [Fact]
    public void Deployment_SelectorChange_FieldIsImmutable()
    {
        var (d, _) = Create(DeploymentStrategy.Instance, Deployment);
        var (_, errors) = Update(DeploymentStrategy.Instance, d, o =>
        {
            o["spec"]!["selector"]!["matchLabels"]!["app"] = "web2";
            o["spec"]!["template"]!["metadata"]!["labels"]!["app"] = "web2";
        });
        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"], errors);
    }

    [Fact]
    public void Deployment_NegativeReplicas_Invalid()
    {
        var (_, errors) = Create(DeploymentStrategy.Instance, Deployment.Replace("\"spec\":{\"selector\"", "\"spec\":{\"replicas\":-1,\"selector\""));
        Assert.Contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0", errors);
    }

    [Fact]
    public void Deployment_TableCells_ReadyUpdatedAvailable()
    {
        var (d, _) = Create(DeploymentStrategy.Instance, Deployment);
        d["status"] = Parse("""{"readyReplicas":1,"updatedReplicas":1,"availableReplicas":1}""");
        d["metadata"]!["creationTimestamp"] = "2025-01-01T00:00:00Z";
        var cells = DeploymentStrategy.Instance.Table.Cells(d, DateTimeOffset.Parse("2025-01-01T00:00:30Z"));
        Assert.Equal(["web", "1/1", 1L, 1L, "30s", "web", "nginx", "app=web"], cells);
    }

    [Fact]
    public void StatefulSet_Defaults_And_ForbiddenSpecUpdate()
    {
        var sts = Deployment.Replace("\"kind\":\"Deployment\"", "\"kind\":\"StatefulSet\"").Replace("\"spec\":{\"selector\"", "\"spec\":{\"serviceName\":\"web\",\"selector\"");
        var (s, errors) = Create(StatefulSetStrategy.Instance, sts);
        Assert.Empty(errors);
        Assert.Equal("OrderedReady", (string?)s["spec"]!["podManagementPolicy"]);
        Assert.Equal("""{"type":"RollingUpdate","rollingUpdate":{"partition":0}}""", s["spec"]!["updateStrategy"]!.ToJsonString());
        var (_, update) = Update(StatefulSetStrategy.Instance, s, o => o["spec"]!["serviceName"] = "other");
        Assert.Single(update);
        Assert.StartsWith("spec: Forbidden: updates to statefulset spec for fields other than 'replicas'", update[0]);
        var (_, scale) = Update(StatefulSetStrategy.Instance, s, o => o["spec"]!["replicas"] = 3);
        Assert.Empty(scale);
    }

    [Fact]
    public void Job_Create_GeneratesSelectorAndLabelsAndDefaults()
    {
        var (job, errors) = Create(JobStrategy.Instance, """
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","uid":"u-1"},
             "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}
            """);
        Assert.Empty(errors);
        var spec = job["spec"]!;
        Assert.Equal("""{"matchLabels":{"batch.kubernetes.io/controller-uid":"u-1"}}""", spec["selector"]!.ToJsonString());
        var labels = spec["template"]!["metadata"]!["labels"]!;
        Assert.Equal("u-1", (string?)labels["controller-uid"]);
        Assert.Equal("pi", (string?)labels["job-name"]);
        Assert.Equal("pi", (string?)labels["batch.kubernetes.io/job-name"]);
        Assert.Equal(1, (int)spec["completions"]!);
        Assert.Equal(1, (int)spec["parallelism"]!);
        Assert.Equal(6, (int)spec["backoffLimit"]!);
        Assert.Equal("NonIndexed", (string?)spec["completionMode"]);
        Assert.False((bool)spec["suspend"]!);
        Assert.False((bool)spec["manualSelector"]!);
        Assert.Equal("TerminatingOrFailed", (string?)spec["podReplacementPolicy"]);
    }

    [Fact]
    public void Job_RestartPolicyAlways_Unsupported()
    {
        var (_, errors) = Create(JobStrategy.Instance, """
            {"metadata":{"name":"pi","uid":"u"},"spec":{"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}}}
            """);
        Assert.Equal(["spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""], errors);
    }

    [Fact]
    public void Job_TemplateChange_FieldIsImmutable()
    {
        var (job, _) = Create(JobStrategy.Instance, """
            {"metadata":{"name":"pi","uid":"u"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}}
            """);
        var (_, errors) = Update(JobStrategy.Instance, job, j => j["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "perl:2");
        Assert.Contains("spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable", errors);
    }

    [Fact]
    public void Job_TableCells_StatusCompletionsDuration()
    {
        var job = Parse("""
            {"metadata":{"name":"pi","creationTimestamp":"2025-01-01T00:00:00Z"},
             "spec":{"completions":3,"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}},"selector":{"matchLabels":{"a":"b"}}},
             "status":{"succeeded":3,"startTime":"2025-01-01T00:00:00Z","completionTime":"2025-01-01T00:00:42Z","conditions":[{"type":"Complete","status":"True"}]}}
            """);
        Assert.Equal(["pi", "Complete", "3/3", "42s", "2m", "pi", "perl", "a=b"], JobStrategy.Instance.Table.Cells(job, DateTimeOffset.Parse("2025-01-01T00:02:00Z")));
    }

    [Fact]
    public void CronJob_Defaults_NameLength_Schedule()
    {
        var (cj, errors) = Create(CronJobStrategy.Instance, """
            {"metadata":{"name":"c"},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"a","image":"b"}]}}}}}}
            """);
        Assert.Empty(errors);
        Assert.Equal("Allow", (string?)cj["spec"]!["concurrencyPolicy"]);
        Assert.Equal(3, (int)cj["spec"]!["successfulJobsHistoryLimit"]!);
        Assert.Equal(1, (int)cj["spec"]!["failedJobsHistoryLimit"]!);
        Assert.Contains("must be no more than 52 characters", CronJobStrategy.Instance.ValidateName(new string('a', 53), false));
        var (_, bad) = Create(CronJobStrategy.Instance, """{"metadata":{"name":"c"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"b"}]}}}}}}""");
        Assert.Contains("spec.schedule: Required value", bad);
    }
}
