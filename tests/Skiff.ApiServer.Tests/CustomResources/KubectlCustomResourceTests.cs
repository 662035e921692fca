using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>The real kubectl 1.32 against a CRD applied at run time: get (printer columns, short name, category all),
/// describe, explain, scale, field validation, and deleting the CRD.</summary>
public sealed class KubectlCustomResourceTests
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: trainingjobs.kubeflow.example.com
        spec:
          group: kubeflow.example.com
          scope: Namespaced
          names:
            plural: trainingjobs
            singular: trainingjob
            kind: TrainingJob
            shortNames: [tj]
            categories: [all]
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                description: TrainingJob runs distributed training.
                properties:
                  spec:
                    type: object
                    description: The desired training job.
                    properties:
                      replicas:
                        type: integer
                        description: How many workers run.
                      image:
                        type: string
                        description: The worker image.
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      phase: {type: string}
            subresources:
              status: {}
              scale:
                specReplicasPath: .spec.replicas
                statusReplicasPath: .status.replicas
            additionalPrinterColumns:
            - {name: Replicas, type: integer, jsonPath: .spec.replicas}
            - {name: Image, type: string, jsonPath: .spec.image}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
        """;

    private const string Job = """
        apiVersion: kubeflow.example.com/v1
        kind: TrainingJob
        metadata:
          name: mnist
          namespace: default
        spec:
          replicas: 2
          image: trainer:1
        """;

    [SkippableFact]
    public async Task ApplyCrd_ThenGetDescribeExplainScaleAndDelete_WithTheRealKubectl()
    {
        Skip.IfNot(File.Exists("/usr/bin/kubectl"), "kubectl is not installed");
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);

        Assert.Contains("created", await Ok(kubectl, Crd, "apply", "-f", "-"));
        await kubectl.OkAsync("wait", "--for=condition=Established", "crd/trainingjobs.kubeflow.example.com", "--timeout=30s");
        Assert.Contains("trainingjob.kubeflow.example.com/mnist created", await Ok(kubectl, Job, "apply", "-f", "-"));

        var table = await kubectl.OkAsync("get", "trainingjobs", "-n", "default");
        Assert.Matches(@"NAME\s+REPLICAS\s+IMAGE\s+AGE", table);
        Assert.Matches(@"mnist\s+2\s+trainer:1\s+\d+s", table);
        Assert.Contains("mnist", await kubectl.OkAsync("get", "tj", "-n", "default"));
        Assert.Contains("trainingjob.kubeflow.example.com/mnist", await kubectl.OkAsync("get", "all", "-n", "default"));

        var describe = await kubectl.OkAsync("describe", "tj", "mnist", "-n", "default");
        Assert.Contains("Name:         mnist", describe);
        Assert.Contains("Kind:         TrainingJob", describe);

        var explain = await kubectl.OkAsync("explain", "trainingjobs.spec");
        Assert.Contains("The desired training job.", explain);
        Assert.Matches(@"replicas\s+<integer>", explain);

        Assert.Contains("scaled", await kubectl.OkAsync("scale", "tj", "mnist", "-n", "default", "--replicas=4"));
        Assert.Equal("4", await kubectl.OkAsync("get", "tj", "mnist", "-n", "default", "-o", "jsonpath={.spec.replicas}"));

        // Server-side field validation through the CRD's schema (kubectl create sends fieldValidation=Strict).
        var (exit, _, err) = await kubectl.RunAsync(["create", "-f", "-"], Job.Replace("mnist", "bad", StringComparison.Ordinal).Replace("image: trainer:1", "image: trainer:1\n  bogus: 1", StringComparison.Ordinal));
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown field \"spec.bogus\"", err);

        await kubectl.OkAsync("delete", "crd", "trainingjobs.kubeflow.example.com", "--timeout=30s");
        var (getExit, _, getErr) = await kubectl.RunAsync(["get", "trainingjobs", "-n", "default"]);
        Assert.NotEqual(0, getExit);
        // kubectl's discovery cache still maps the name; the server no longer serves it.
        Assert.Contains("the server could not find the requested resource", getErr);
    }

    private static async Task<string> Ok(Kubectl kubectl, string stdin, params string[] args)
    {
        var (exit, output, err) = await kubectl.RunAsync(args, stdin);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {err}");
        return output;
    }
}
