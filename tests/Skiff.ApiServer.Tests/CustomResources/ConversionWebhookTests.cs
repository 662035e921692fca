using System.Text.Json.Nodes;
using Skiff.ApiServer.Tests.Webhooks;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>
/// Conversion <c>Webhook</c> end to end with the REAL kubectl: a two-version CRD (v1 stores <c>spec.size</c>, v2
/// serves it as <c>spec.dimension</c>) converted by a TLS webhook (its own CA, url client config).
/// </summary>
public sealed class ConversionWebhookTests : IAsyncLifetime
{
    private TestControlPlane _cp = null!;
    private TestWebhookServer _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _cp = await TestControlPlane.StartAsync();
        _server = await TestWebhookServer.StartAsync();
        _server.Map("/convert", review => Task.FromResult(Convert(review)));
        _kubectl = new Kubectl(_cp.KubeconfigPath);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _cp.DisposeAsync();
    }

    private string Crd => $$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.conv.skiff.test}
        spec:
          group: conv.skiff.test
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          conversion:
            strategy: Webhook
            webhook:
              conversionReviewVersions: [v1]
              clientConfig: {url: "{{_server.Url("/convert")}}", caBundle: {{_server.CaBundle}} }
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
                      size: {type: integer}
          - name: v2
            served: true
            storage: false
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      dimension: {type: integer}
        """;

    /// <summary>The webhook: renames spec.size (v1) ↔ spec.dimension (v2); refuses objects named "broken".</summary>
    private static JsonObject Convert(JsonObject review)
    {
        var request = review["request"]!;
        var desired = (string)request["desiredAPIVersion"]!;
        var converted = new JsonArray();
        foreach (var o in request["objects"]!.AsArray())
        {
            var obj = o!.DeepClone().AsObject();
            if ((string?)obj["metadata"]!["name"] == "broken")
            {
                return Review(request, new JsonObject { ["status"] = "Failure", ["message"] = "cannot convert broken" }, []);
            }

            var spec = obj["spec"] as JsonObject ?? [];
            if (desired.EndsWith("/v2", StringComparison.Ordinal) && spec.Remove("size", out var size))
            {
                spec["dimension"] = size;
            }
            else if (desired.EndsWith("/v1", StringComparison.Ordinal) && spec.Remove("dimension", out var dimension))
            {
                spec["size"] = dimension;
            }

            obj["apiVersion"] = desired;
            converted.Add(obj);
        }

        return Review(request, new JsonObject { ["status"] = "Success" }, converted);
    }

    private static JsonObject Review(JsonNode request, JsonObject result, JsonArray objects) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "ConversionReview",
        ["response"] = new JsonObject { ["uid"] = (string?)request["uid"], ["result"] = result, ["convertedObjects"] = objects },
    };

    private async Task<string> Ok(string stdin, params string[] args)
    {
        var (exit, output, err) = await _kubectl.RunAsync(args, stdin);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {err}");
        return output;
    }

    [Fact]
    public async Task TwoVersions_KubectlSeesEachShape_WritesStoreV1_WatchAndListConvert()
    {
        await Ok(Crd, "apply", "-f", "-");
        await _kubectl.OkAsync("wait", "--for=condition=Established", "crd/widgets.conv.skiff.test", "--timeout=30s");
        await Ok("apiVersion: conv.skiff.test/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n", "apply", "-f", "-");

        Assert.Equal("3", await _kubectl.OkAsync("get", "widgets.v2.conv.skiff.test", "w1", "-n", "default", "-o", "jsonpath={.spec.dimension}"));
        Assert.Equal("conv.skiff.test/v2", await _kubectl.OkAsync("get", "widgets.v2.conv.skiff.test", "w1", "-n", "default", "-o", "jsonpath={.apiVersion}"));
        Assert.Equal("3", await _kubectl.OkAsync("get", "widgets.v1.conv.skiff.test", "w1", "-n", "default", "-o", "jsonpath={.spec.size}"));

        // A write in v2 is converted to the storage version v1 before it is stored.
        await Ok("apiVersion: conv.skiff.test/v2\nkind: Widget\nmetadata: {name: w2, namespace: default}\nspec: {dimension: 5}\n", "apply", "-f", "-");
        var stored = Skiff.ApiServer.Store.GenericStore.Decode((await _cp.Storage.GetAsync("/registry/conv.skiff.test/widgets/default/w2", 0, default))!);
        Assert.Equal("conv.skiff.test/v1", (string?)stored["apiVersion"]);
        Assert.Equal(5, (int)stored["spec"]!["size"]!);
        Assert.Equal("5", await _kubectl.OkAsync("get", "widgets.v1.conv.skiff.test", "w2", "-n", "default", "-o", "jsonpath={.spec.size}"));

        // A list in v2 is one review of both objects.
        var before = _server.Requests.Count;
        Assert.Equal("3 5", await _kubectl.OkAsync("get", "widgets.v2.conv.skiff.test", "-n", "default", "-o", "jsonpath={.items[*].spec.dimension}"));
        Assert.Contains(_server.Requests.Skip(before), r => r.Body["request"]!["objects"]!.AsArray().Count == 2);

        // A watch in v2 sees a v1 write converted.
        var rv = (string)stored["metadata"]!["resourceVersion"]!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var watch = await WatchStream.OpenAsync(_cp.Client, $"/apis/conv.skiff.test/v2/namespaces/default/widgets?watch=1&resourceVersion={rv}", cts.Token);
        await _kubectl.OkAsync("patch", "widgets.v1.conv.skiff.test", "w1", "-n", "default", "--type=merge", "-p", "{\"spec\":{\"size\":7}}");
        var ev = await watch.NextAsync(cts.Token);
        Assert.Equal("MODIFIED", (string?)ev["type"]);
        Assert.Equal("conv.skiff.test/v2", (string?)ev["object"]!["apiVersion"]);
        Assert.Equal(7, (int)ev["object"]!["spec"]!["dimension"]!);
        Assert.Null(ev["object"]!["spec"]!["size"]);
    }

    [Fact]
    public async Task FailingWebhook_ReadIsUpstreamError_CrdValidation()
    {
        await Ok(Crd, "apply", "-f", "-");
        await _kubectl.OkAsync("wait", "--for=condition=Established", "crd/widgets.conv.skiff.test", "--timeout=30s");
        await Ok("apiVersion: conv.skiff.test/v1\nkind: Widget\nmetadata: {name: broken, namespace: default}\nspec: {size: 1}\n", "apply", "-f", "-");
        var (exit, _, err) = await _kubectl.RunAsync(["get", "widgets.v2.conv.skiff.test", "broken", "-n", "default"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("Error from server: conversion webhook for conv.skiff.test/v1, Kind=Widget returned failure: cannot convert broken", err, StringComparison.Ordinal);

        // A write in v2 whose conversion fails is an InternalError.
        var (status, body, _) = await _cp.SendAsync(HttpMethod.Post, "/apis/conv.skiff.test/v2/namespaces/default/widgets",
            JsonNode.Parse("""{"apiVersion":"conv.skiff.test/v2","kind":"Widget","metadata":{"name":"broken"},"spec":{"dimension":1}}"""));
        Assert.Equal(500, status);
        Assert.Equal("InternalError", (string?)body!["reason"]);
        Assert.Equal("Internal error occurred: conversion webhook for conv.skiff.test/v2, Kind=Widget returned failure: cannot convert broken", (string?)body["message"]);

        // Webhook strategy requires a client config; None forbids one.
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.conv.skiff.test"},
             "spec":{"group":"conv.skiff.test","scope":"Namespaced","names":{"plural":"gadgets","kind":"Gadget"},
             "conversion":{"strategy":"Webhook","webhook":{"conversionReviewVersions":["v1"]}},
             "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}
            """)!;
        (status, body, _) = await _cp.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.Equal(422, status);
        Assert.Contains("spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook", (string?)body!["message"], StringComparison.Ordinal);
        crd["spec"]!["conversion"] = JsonNode.Parse("""{"strategy":"None","webhook":{"conversionReviewVersions":["v1"],"clientConfig":{"url":"https://127.0.0.1:1/x"}}}""");
        (status, body, _) = await _cp.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.Equal(422, status);
        Assert.Contains("spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook", (string?)body!["message"], StringComparison.Ordinal);
    }
}
