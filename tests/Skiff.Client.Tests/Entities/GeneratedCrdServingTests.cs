using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Entities;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Entities.Samples;
using Skiff.Client.Typed;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Client.Tests.Entities;

/// <summary>
/// The generated CRDs on a real (in-process) API server, which runs upstream's CRD validation and structural-schema
/// checks: the real kubectl applies the generated YAML, every CRD becomes Established, and the schema then behaves as
/// declared for objects written with the typed client (defaults, CEL rules, patterns, pruning) and read by kubectl.
/// </summary>
public sealed class GeneratedCrdServingTests : IAsyncLifetime
{
    private TestControlPlane _cp = null!;
    private Clientset _cs = null!;

    public async Task InitializeAsync()
    {
        _cp = await TestControlPlane.StartAsync();
        _cs = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(_cp.KubeconfigPath)) with { Qps = 0 });
        var yaml = CustomResourceDefinitionWriter.ToYaml(CustomResourceDefinitionGenerator.Generate(CustomResourceDefinitionGoldenTests.SampleTypes, null));
        var (exit, _, err) = await new Kubectl(_cp.KubeconfigPath).RunAsync(["apply", "-f", "-"], stdin: yaml);
        Assert.True(exit == 0, $"kubectl apply of the generated CRDs: {err}");
        await ListWatch.UntilAsync(_cs.Resource<V1CustomResourceDefinition, V1CustomResourceDefinitionList>(),
            crds => crds.Count(c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true) == 3);
    }

    public async Task DisposeAsync()
    {
        _cs.Dispose();
        await _cp.DisposeAsync();
    }

    private ResourceClient<Widget, WidgetList> Widgets => _cs.Resource<Widget, WidgetList>("default");

    [Fact]
    public async Task EveryGeneratedCrd_IsAcceptedAndEstablished_WithItsNames()
    {
        var crds = await _cs.Resource<V1CustomResourceDefinition, V1CustomResourceDefinitionList>().ListAsync();
        Assert.Equal(["gadgets.samples.skiff.dev", "policies.samples.skiff.dev", "widgets.samples.skiff.dev"], crds.Items.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(crds.Items, c => Assert.Contains(c.Status.Conditions, x => x.Type == "NamesAccepted" && x.Status == "True"));
    }

    [Fact]
    public async Task TypedCreate_GetsTheDefaults()
    {
        var created = await Widgets.CreateAsync(new Widget { Metadata = new() { Name = "defaults" }, Spec = new() { Replicas = 2 } });
        Assert.Equal(WidgetColor.Blue, created.Spec.Color);
        Assert.Equal("small", created.Spec.Size);
    }

    [Fact]
    public async Task ClassLevelCelRule_RejectsWithItsMessageAndFieldPath()
    {
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            Widgets.CreateAsync(new Widget { Metadata = new() { Name = "cel" }, Spec = new() { Replicas = 1, MinReplicas = 3 } }));
        Assert.Equal(422, e.Status.Code);
        Assert.Contains("spec.minReplicas: Invalid value", e.Message, StringComparison.Ordinal);
        Assert.Contains("minReplicas must not exceed replicas", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PropertyAttributes_AreEnforced()
    {
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            Widgets.CreateAsync(new Widget { Metadata = new() { Name = "bad" }, Spec = new() { Replicas = 101, Label = "Not-Lower", Ratio = 1 } }));
        Assert.Equal(422, e.Status.Code);
        Assert.Contains("spec.replicas: Invalid value: 101: spec.replicas in body should be less than or equal to 100", e.Message, StringComparison.Ordinal);
        Assert.Contains("spec.label in body should match '^[a-z]+$'", e.Message, StringComparison.Ordinal);
        Assert.Contains("spec.ratio in body should be less than 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransitionRule_ForbidsChangingTheZone()
    {
        var w = await Widgets.CreateAsync(new Widget { Metadata = new() { Name = "zone" }, Spec = new() { Replicas = 1, Zone = "a" } });
        w.Spec.Zone = "b";
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => Widgets.UpdateAsync(w));
        Assert.Contains("spec.zone: Forbidden: zone is immutable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFields_ArePruned_ExceptWherePreserved()
    {
        var body = JsonNode.Parse("""
            {"apiVersion": "samples.skiff.dev/v1", "kind": "Widget", "metadata": {"name": "prune"},
             "spec": {"replicas": 1, "bogus": true, "extra": {"anything": [1, 2]}, "tree": {"value": "a", "children": [{"deep": {"x": 1}}]}}}
            """);
        var (code, created, _) = await _cp.SendAsync(HttpMethod.Post, "/apis/samples.skiff.dev/v1/namespaces/default/widgets", body);
        Assert.True(code == 201, $"{code} {created}");
        Assert.Null(created!["spec"]!["bogus"]);
        Assert.Equal(2, created["spec"]!["extra"]!["anything"]!.AsArray().Count);
        Assert.Equal(1, created["spec"]!["tree"]!["children"]![0]!["deep"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public async Task Kubectl_PrintsThePrinterColumns_AndFindsTheShortName()
    {
        await Widgets.CreateAsync(new Widget { Metadata = new() { Name = "printed" }, Spec = new() { Replicas = 3, Color = WidgetColor.SeaGreen } });
        var output = await new Kubectl(_cp.KubeconfigPath).OkAsync("get", "wd", "printed", "-n", "default");
        var lines = output.Split('\n');
        Assert.Matches(@"^NAME\s+REPLICAS\s+COLOR\s+AGE$", lines[0]);
        Assert.Matches(@"^printed\s+3\s+sea-green\s+\S+$", lines[1]);
    }
}
