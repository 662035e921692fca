using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Webhooks;

/// <summary>
/// Admission webhooks reached through a Service (endpoint routing, TLS server name <c>name.namespace.svc</c>),
/// a serving certificate no CA bundle vouches for, and <c>reinvocationPolicy: IfNeeded</c>.
/// </summary>
public sealed class AdmissionWebhookServiceTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    private static JsonNode Pod(string name) =>
        new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "web" } },
            ["spec"] = JsonNode.Parse("""{"containers":[{"name":"c","image":"busybox"}]}"""),
        };

    private async Task ApplyAsync(string yaml)
    {
        var (exit, _, err) = await f.RunAsync(yaml, "apply", "-f", "-");
        Assert.True(exit == 0, err);
    }

    [Fact]
    public async Task ServiceClientConfig_DialsTheEndpoint_VerifiesSvcServerName()
    {
        var ns = await f.NamespaceAsync("svc");
        await ApplyAsync($$"""
            apiVersion: v1
            kind: Namespace
            metadata: {name: webhook-system}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: hooks, namespace: webhook-system}
            spec:
              ports: [{name: https, port: 443, targetPort: {{f.Server.Port}}}]
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: hooks, namespace: webhook-system}
            subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{name: https, port: {{f.Server.Port}}}]}]
            """);
        f.Server.Map("/svc", review => Task.FromResult(TestWebhookServer.Deny(review, "denied through the service", 422)));
        await ApplyAsync($"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: svc-{ns}{"}"}
            webhooks:
            - name: svc.skiff.test
              admissionReviewVersions: [v1]
              sideEffects: None
              clientConfig: {"{"}service: {"{"}namespace: webhook-system, name: hooks, path: /svc{"}"}, caBundle: {f.Server.CaBundle}{"}"}
              rules: [{"{"}operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]{"}"}]
              namespaceSelector: {"{"}matchLabels: {"{"}webhook-test: {ns}{"}"}{"}"}
            """);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod("p"));
            if (status == 201)
            {
                await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0");
                return false;
            }

            Assert.Equal(422, status);
            Assert.Equal("admission webhook \"svc.skiff.test\" denied the request: denied through the service", (string?)body!["message"]);
            return true;
        }, "the service webhook to deny");
    }

    [Fact]
    public async Task UntrustedServingCertificate_FailsWithX509Error()
    {
        var ns = await f.NamespaceAsync("tls");
        f.Server.Map("/tls", review => Task.FromResult(TestWebhookServer.Allow(review)));
        var url = f.Server.Url("/tls");
        await ApplyAsync($"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: tls-{ns}{"}"}
            webhooks:
            - name: tls.skiff.test
              admissionReviewVersions: [v1]
              sideEffects: None
              clientConfig: {"{"}url: "{url}"{"}"}
              rules: [{"{"}operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]{"}"}]
              namespaceSelector: {"{"}matchLabels: {"{"}webhook-test: {ns}{"}"}{"}"}
            """);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod("p"));
            if (status == 201)
            {
                await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0");
                return false;
            }

            Assert.Equal(500, status);
            Assert.Equal($"Internal error occurred: failed calling webhook \"tls.skiff.test\": failed to call webhook: Post \"{url}?timeout=10s\": " +
                "tls: failed to verify certificate: x509: certificate signed by unknown authority", (string?)body!["message"]);
            return true;
        }, "the untrusted webhook to fail");
        Assert.DoesNotContain(f.Server.Requests, r => r.Path == "/tls");
    }

    [Fact]
    public async Task ReinvocationIfNeeded_CalledAgainAfterALaterWebhookChangedTheObject()
    {
        var ns = await f.NamespaceAsync("reinv");
        var calls = 0;
        f.Server.Map($"/first/{ns}", review =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(TestWebhookServer.Allow(review));
        });
        f.Server.Map($"/second/{ns}", review =>
        {
            var labels = review["request"]!["object"]!["metadata"]!["labels"]!.AsObject();
            return Task.FromResult(labels.ContainsKey("second")
                ? TestWebhookServer.Allow(review)
                : TestWebhookServer.Allow(review, new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/second", ["value"] = "yes" })));
        });
        await ApplyAsync($"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata: {"{"}name: reinv-{ns}{"}"}
            webhooks:
            {f.Hook("first.skiff.test", ns, f.Server.Url($"/first/{ns}"), "    reinvocationPolicy: IfNeeded")}
            {f.Hook("second.skiff.test", ns, f.Server.Url($"/second/{ns}"))}
            """);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod("p"));
            Assert.True(status == 201, body?.ToJsonString());
            await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0");
            return (string?)body!["metadata"]!["labels"]!["second"] == "yes";
        }, "the mutating webhooks to run");
        Assert.Equal(2, Volatile.Read(ref calls));
    }
}
