using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>CRDs with the real skiff binary and the real kubectl: served without restart, still served after one,
/// and a namespace holding custom resources is deleted by the controller manager.</summary>
public sealed class CustomResourceTests
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: tfjobs.kubeflow.example.org
        spec:
          group: kubeflow.example.org
          scope: Namespaced
          names: {plural: tfjobs, singular: tfjob, kind: TFJob, shortNames: [tfj], categories: [all]}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      workers: {type: integer, description: Worker replicas.}
                  status:
                    type: object
                    properties:
                      workers: {type: integer}
            subresources:
              status: {}
              scale: {specReplicasPath: .spec.workers, statusReplicasPath: .status.workers}
            additionalPrinterColumns:
            - {name: Workers, type: integer, jsonPath: .spec.workers}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
        """;

    [SkippableFact]
    public async Task Crd_ServedAtRunTime_SurvivesRestart_NamespaceWithCustomResourcesDeletes()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var dir = Path.Combine(Path.GetTempPath(), "skiff-e2e-crd-" + Guid.NewGuid().ToString("N")[..8]);
        await using (var first = await SkiffProcess.StartAsync(dir))
        {
            await first.KubectlOkAsync("apply -f -", Crd);
            await first.KubectlOkAsync("wait --for=condition=Established crd/tfjobs.kubeflow.example.org --timeout=30s");
            await first.KubectlOkAsync("create namespace ml");
            await first.KubectlOkAsync("apply -f -", "apiVersion: kubeflow.example.org/v1\nkind: TFJob\nmetadata:\n  name: mnist\n  namespace: ml\nspec:\n  workers: 2\n");
            var (_, table, _) = await first.KubectlOkAsync("get tfjobs -n ml");
            Assert.Matches(@"NAME\s+WORKERS\s+AGE", table);
            Assert.Matches(@"mnist\s+2\s+", table);
            await first.KubectlOkAsync("scale tfj mnist -n ml --replicas=3");
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await SkiffProcess.StartAsync(dir);
        var (_, workers, _) = await second.KubectlOkAsync("get tfjob mnist -n ml -o jsonpath={.spec.workers}");
        Assert.Equal("3", workers);
        var (_, all, _) = await second.KubectlOkAsync("get all -n ml");
        Assert.Contains("tfjob.kubeflow.example.org/mnist", all);

        await second.KubectlOkAsync("delete namespace ml --timeout=60s");
        var (_, left, _) = await second.KubectlOkAsync("get tfjobs -A -o name");
        Assert.Equal("", left);
    }
}
