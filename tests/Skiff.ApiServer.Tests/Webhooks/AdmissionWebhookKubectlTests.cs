using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Webhooks;

/// <summary>
/// Admission webhooks end to end with the REAL kubectl: a TLS webhook server with its own CA (url client config)
/// that denies and mutates pods; failurePolicy Ignore/Fail against a server that is down; a timeout.
/// </summary>
public sealed class AdmissionWebhookKubectlTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    private static string Pod(string name, string ns, string labels = "{app: web}") => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: {{ns}}, labels: {{labels}}}
        spec:
          containers: [{name: c, image: busybox}]
        """;

    [Fact]
    public async Task DenyAndMutate_KubectlShowsUpstreamDenialWarningAndMutation()
    {
        var ns = await f.NamespaceAsync("wh");
        f.Server.Map($"/mutate/{ns}", review => Task.FromResult(TestWebhookServer.Allow(review,
            new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/mutated", ["value"] = "yes" }), "mutated by the test webhook")));
        f.Server.Map($"/deny/{ns}", review =>
        {
            var labels = review["request"]!["object"]!["metadata"]!["labels"] as JsonObject;
            return Task.FromResult((string?)labels?["deny"] == "true"
                ? TestWebhookServer.Deny(review, "pods labelled deny=true are refused")
                : TestWebhookServer.Allow(review));
        });
        var configs = $"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: MutatingWebhookConfiguration
            metadata: {"{"}name: mutate-{ns}{"}"}
            webhooks:
            {f.Hook("mutate.skiff.test", ns, f.Server.Url($"/mutate/{ns}"), "    matchConditions: [{name: not-skipped, expression: \"object.metadata.name != 'skipme'\"}]")}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: deny-{ns}{"}"}
            webhooks:
            {f.Hook("deny.skiff.test", ns, f.Server.Url($"/deny/{ns}"))}
            """;
        var (exit, _, err) = await f.RunAsync(configs, "apply", "-f", "-");
        Assert.True(exit == 0, err);

        // The denial, worded as upstream (kubectl prints the server's message).
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await f.RunAsync(Pod("denied", ns, "{deny: \"true\"}"), "apply", "-f", "-");
            return code != 0 && stderr.Contains("admission webhook \"deny.skiff.test\" denied the request: pods labelled deny=true are refused", StringComparison.Ordinal);
        }, "the validating webhook to deny");

        var (okExit, _, okErr) = await f.RunAsync(Pod("web", ns), "apply", "-f", "-");
        Assert.True(okExit == 0, okErr);
        Assert.Contains("Warning: mutated by the test webhook", okErr, StringComparison.Ordinal);
        var yaml = await f.Kubectl.OkAsync("get", "pod", "web", "-n", ns, "-o", "yaml");
        Assert.Contains("mutated: \"yes\"", yaml, StringComparison.Ordinal);

        // matchConditions: a false condition skips the webhook.
        var (skipExit, _, skipErr) = await f.RunAsync(Pod("skipme", ns), "apply", "-f", "-");
        Assert.True(skipExit == 0, skipErr);
        Assert.DoesNotContain("mutated", await f.Kubectl.OkAsync("get", "pod", "skipme", "-n", ns, "-o", "yaml"), StringComparison.Ordinal);

        // The review carried upstream's request fields.
        var review = f.Server.Requests.Last(r => r.Path == $"/deny/{ns}" && (string?)r.Body["request"]!["name"] == "web").Body;
        var request = review["request"]!;
        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.False(string.IsNullOrEmpty((string?)request["uid"]));
        Assert.Equal("CREATE", (string?)request["operation"]);
        Assert.Equal(ns, (string?)request["namespace"]);
        Assert.Equal("Pod", (string?)request["kind"]!["kind"]);
        Assert.Equal("pods", (string?)request["resource"]!["resource"]);
        Assert.Equal("v1", (string?)request["requestKind"]!["version"]);
        Assert.Equal("CreateOptions", (string?)request["options"]!["kind"]);
        Assert.False((bool)request["dryRun"]!);
        Assert.False(string.IsNullOrEmpty((string?)request["userInfo"]!["username"]));
        Assert.Equal("yes", (string?)request["object"]!["metadata"]!["labels"]!["mutated"]); // validating sees the mutation

        var table = await f.Kubectl.OkAsync("get", "validatingwebhookconfigurations", $"deny-{ns}");
        Assert.Matches(@"^NAME\s+WEBHOOKS\s+AGE\n" + $"deny-{ns}" + @"\s+1\s+\d+s$", table);
    }

    [Fact]
    public async Task ServerDown_IgnoreAdmits_FailIs500WithUpstreamText()
    {
        var ns = await f.NamespaceAsync("down");
        var port = ClosedPort();
        var url = $"https://127.0.0.1:{port}/down";
        var ignore = $"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: down-ignore-{ns}{"}"}
            webhooks:
            {f.Hook("ignore.skiff.test", ns, url, "    failurePolicy: Ignore")}
            """;
        var (exit, _, err) = await f.RunAsync(ignore, "apply", "-f", "-");
        Assert.True(exit == 0, err);
        var (podExit, _, podErr) = await f.RunAsync(Pod("ignored", ns), "apply", "-f", "-");
        Assert.True(podExit == 0, podErr);

        var fail = ignore.Replace("down-ignore-", "down-fail-", StringComparison.Ordinal).Replace("ignore.skiff.test", "fail.skiff.test", StringComparison.Ordinal)
            .Replace("failurePolicy: Ignore", "failurePolicy: Fail", StringComparison.Ordinal);
        (exit, _, err) = await f.RunAsync(fail, "apply", "-f", "-");
        Assert.True(exit == 0, err);
        var expected = $"Internal error occurred: failed calling webhook \"fail.skiff.test\": failed to call webhook: Post \"{url}?timeout=10s\": " +
            $"dial tcp 127.0.0.1:{port}: connect: connection refused";
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
                JsonNode.Parse("""{"metadata":{"name":"failed"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
            if (status == 201)
            {
                await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/failed?gracePeriodSeconds=0");
                return false;
            }

            Assert.Equal(500, status);
            Assert.Equal("InternalError", (string?)body!["reason"]);
            Assert.Equal(expected, (string?)body["message"]);
            return true;
        }, "the failing webhook to be called");
        var (failExit, _, failErr) = await f.RunAsync(Pod("failed2", ns), "apply", "-f", "-");
        Assert.NotEqual(0, failExit);
        Assert.Contains(expected.Replace("failed\"", "failed2\"", StringComparison.Ordinal), failErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowWebhook_TimesOutAfterItsTimeout()
    {
        // The webhook answers only once the test has seen the call fail: kubectl can fail only by the 1 s timeout
        // (no wall-clock bound that a loaded machine's kubectl start-up could break).
        var ns = await f.NamespaceAsync("slow");
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Server.Map($"/slow/{ns}", async review =>
        {
            await answer.Task;
            return TestWebhookServer.Allow(review);
        });
        var config = $"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: slow-{ns}{"}"}
            webhooks:
            {f.Hook("slow.skiff.test", ns, f.Server.Url($"/slow/{ns}"), "    timeoutSeconds: 1")}
            """;
        var (exit, _, err) = await f.RunAsync(config, "apply", "-f", "-");
        Assert.True(exit == 0, err);
        try
        {
            await WebhookFixture.EventuallyAsync(async () =>
            {
                var (code, _, stderr) = await f.RunAsync(Pod("slow", ns), "apply", "-f", "-");
                if (code == 0)
                {
                    await f.Kubectl.OkAsync("delete", "pod", "slow", "-n", ns, "--grace-period=0");
                    return false;
                }

                Assert.Contains($"failed calling webhook \"slow.skiff.test\": failed to call webhook: Post \"{f.Server.Url($"/slow/{ns}")}?timeout=1s\": context deadline exceeded",
                    stderr, StringComparison.Ordinal);
                return true;
            }, "the slow webhook to time out");
        }
        finally
        {
            answer.TrySetResult();
        }
    }

    [Fact]
    public async Task DryRun_SendsDryRunAndStoresNothing()
    {
        var ns = await f.NamespaceAsync("dry");
        f.Server.Map($"/dry/{ns}", review => Task.FromResult(TestWebhookServer.Allow(review)));
        var config = $"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {"{"}name: dry-{ns}{"}"}
            webhooks:
            {f.Hook("dry.skiff.test", ns, f.Server.Url($"/dry/{ns}"))}
            """;
        var (exit, _, err) = await f.RunAsync(config, "apply", "-f", "-");
        Assert.True(exit == 0, err);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await f.RunAsync(Pod("dry", ns), "apply", "--dry-run=server", "-f", "-");
            Assert.True(code == 0, stderr);
            return f.Server.Requests.Any(r => r.Path == $"/dry/{ns}");
        }, "the dry-run request to reach the webhook");
        Assert.True((bool)f.Server.Requests.Last(r => r.Path == $"/dry/{ns}").Body["request"]!["dryRun"]!);
        var (getExit, _, _) = await f.Kubectl.RunAsync(["get", "pod", "dry", "-n", ns]);
        Assert.NotEqual(0, getExit);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
