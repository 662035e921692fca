using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Schema;

/// <summary>A CRD whose schema is not structural is rejected by the API server with upstream's 422, through HTTP and the real kubectl.</summary>
public sealed class CrdSchemaApiTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private const string KubectlPath = "/usr/bin/kubectl";

    private static JsonObject Crd(string plural, string specSchema) => JsonNode.Parse(
        "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\",\"metadata\":{\"name\":\"" + plural + ".schema.example.com\"}," +
        "\"spec\":{\"group\":\"schema.example.com\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"" + plural + "\",\"kind\":\"Widget" + plural.Length + "\"}," +
        "\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":" +
        "{\"type\":\"object\",\"properties\":{\"spec\":" + specSchema + "}}}}]}}")!.AsObject();

    [Fact]
    public async Task Create_NonStructuralSchema_Is422WithUpstreamCause()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (status, body, _) = await fx.Cp.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            Crd("gadgets", """{"properties":{"size":{"type":"integer"}}}"""), ct: cts.Token);

        Assert.Equal(422, status);
        Assert.Equal("Invalid", (string?)body!["reason"]);
        var cause = Assert.Single(body["details"]!["causes"]!.AsArray());
        Assert.Equal("FieldValueRequired", (string?)cause!["reason"]);
        Assert.Equal("spec.versions[0].schema.openAPIV3Schema.properties[spec].type", (string?)cause["field"]);
        Assert.Equal("Required value: must not be empty for specified object fields", (string?)cause["message"]);
        Assert.Contains("CustomResourceDefinition.apiextensions.k8s.io \"gadgets.schema.example.com\" is invalid", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_StructuralSchema_IsAccepted()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (status, body, _) = await fx.Cp.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            Crd("sprockets", """{"type":"object","properties":{"size":{"type":"integer","default":1}},"x-kubernetes-validations":[{"rule":"self.size > 0"}]}"""), ct: cts.Token);

        Assert.True(status == 201, body?.ToJsonString());
    }

    [SkippableFact]
    public async Task KubectlApply_BadCelRuleAndDefault_ReportsEveryUpstreamError()
    {
        Skip.IfNot(File.Exists(KubectlPath), "kubectl is not installed");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var crd = Crd("doohickeys", """{"type":"object","properties":{"n":{"type":"integer","default":"x"}},"x-kubernetes-validations":[{"rule":"","message":"m"}]}""");

        var (exit, _, err) = await new Kubectl(fx.Cp.KubeconfigPath).RunAsync(["apply", "-f", "-"], stdin: crd.ToJsonString(), ct: cts.Token);

        Assert.NotEqual(0, exit);
        Assert.Contains("The CustomResourceDefinition \"doohickeys.schema.example.com\" is invalid", err, StringComparison.Ordinal);
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified", err, StringComparison.Ordinal);
    }
}
