using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>
/// Wire details the official clients depend on (issue 18), each as upstream's API server has them: query parameters
/// converted as its parameter codec does, bodies ending in a newline, typed-list items without TypeMeta, the zero
/// fields Go always writes, JSON patches as evanphx/json-patch v4 applies them, and subresources never answering as
/// their parent.
/// </summary>
public sealed class WireCompatTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Pods = "/api/v1/namespaces/default/pods";

    private static JsonObject ConfigMap(string name, string label = "x") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["wire"] = label } },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    private static JsonObject Pod(string name, string? node = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) };
        if (node is not null)
        {
            spec["nodeName"] = node;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private async Task<(int Status, string ContentType, string Body)> RawAsync(HttpMethod method, string path, CancellationToken ct = default)
    {
        using var req = new HttpRequestMessage(method, path);
        using var resp = await f.Cp.Client.SendAsync(req, ct);
        return ((int)resp.StatusCode, resp.Content.Headers.ContentType?.ToString() ?? "", await resp.Content.ReadAsStringAsync(ct));
    }

    [Theory]
    [InlineData("True")]
    [InlineData("TRUE")]
    [InlineData("t")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("")]
    public async Task Watch_AnyValueButFalseOrZero_Watches(string value)
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap($"watch-true-{value.Length}-{value.ToLowerInvariant()}", "wt"));

        // timeoutSeconds bounds the stream: the body is complete when the server ends the watch.
        var (status, contentType, body) = await RawAsync(HttpMethod.Get, $"{ConfigMaps}?watch={value}&labelSelector=wire%3Dwt&timeoutSeconds=1");
        Assert.Equal(200, status);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        var first = JsonNode.Parse(body.Split('\n')[0])!;
        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("FALSE")]
    [InlineData("False")]
    [InlineData("0")]
    public async Task Watch_FalseOrZero_Lists(string value)
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?watch={value}");
        Assert.Equal(200, status);
        Assert.Equal("ConfigMapList", body!["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ConfigMaps + "?limit=abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData(ConfigMaps + "?limit=", "strconv.ParseInt: parsing \"\": invalid syntax")]
    [InlineData(ConfigMaps + "?limit=99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    [InlineData(ConfigMaps + "?watch=1&timeoutSeconds=1.5", "strconv.ParseInt: parsing \"1.5\": invalid syntax")]
    [InlineData(ConfigMaps + "?timeoutSeconds=%201", "strconv.ParseInt: parsing \" 1\": invalid syntax")]
    public async Task IntegerParameters_Garbage_BadRequestWithGoText(string path, string message)
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, path);
        Assert.Equal(400, status);
        Assert.Equal("BadRequest", body!["reason"]!.GetValue<string>());
        Assert.Equal(message, body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task IntegerParameters_SignAndNegativeLimit_Accepted()
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("limit-neg"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?limit=-1");
        Assert.Equal(200, status);
        Assert.NotEmpty(body!["items"]!.AsArray());
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?limit=%2B5")).Status);
    }

    [Fact]
    public async Task Delete_GracePeriodGarbage_BadRequest_OrphanDependentsTrueSpelledAnyhow()
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("grace-bad"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{ConfigMaps}/grace-bad?gracePeriodSeconds=soon");
        Assert.Equal(400, status);
        Assert.Equal("strconv.ParseInt: parsing \"soon\": invalid syntax", body!["message"]!.GetValue<string>());

        // orphanDependents=True is true (not an error); with a propagationPolicy the pair is invalid, as upstream.
        var (both, error, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{ConfigMaps}/grace-bad?orphanDependents=True&propagationPolicy=Background");
        Assert.Equal(422, both);
        Assert.Contains("orphanDependents and deletionPropagation cannot be both set", error!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonBodies_EndWithNewline()
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("newline"));
        foreach (var path in new[] { $"{ConfigMaps}/newline", ConfigMaps, $"{ConfigMaps}/missing" })
        {
            var (_, contentType, body) = await RawAsync(HttpMethod.Get, path);
            Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
            Assert.EndsWith("}\n", body, StringComparison.Ordinal);
            Assert.False(body.EndsWith("\n\n", StringComparison.Ordinal));
        }

        var (_, _, notFound) = await RawAsync(HttpMethod.Get, $"{ConfigMaps}/missing");
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"configmaps \\\"missing\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"missing\",\"kind\":\"configmaps\"},\"code\":404}\n",
            notFound);
    }

    [Fact]
    public async Task TypedList_ItemsHaveNoTypeMeta()
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("typed-item", "typed"));
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?labelSelector=wire%3Dtyped");
        Assert.Equal("ConfigMapList", body!["kind"]!.GetValue<string>());
        Assert.Equal("v1", body["apiVersion"]!.GetValue<string>());
        var item = Assert.Single(body["items"]!.AsArray())!.AsObject();
        Assert.False(item.ContainsKey("kind"));
        Assert.False(item.ContainsKey("apiVersion"));
        Assert.Equal("typed-item", item["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pods_UnservedSubresources_NeverAnswerAsParent()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("sub-unbound"));

        var log = await RawAsync(HttpMethod.Get, $"{Pods}/sub-unbound/log");
        Assert.Equal((200, "text/plain", ""), log);

        foreach (var sub in new[] { "exec", "attach", "portforward" })
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-unbound/{sub}?command=ls");
            Assert.Equal(400, status);
            Assert.Equal("pod sub-unbound does not have a host assigned", body!["message"]!.GetValue<string>());
        }

        var (proxy, proxyBody, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-unbound/proxy/");
        Assert.Equal(400, proxy);
        Assert.Equal("address not allowed", proxyBody!["message"]!.GetValue<string>());

        foreach (var sub in new[] { "binding", "eviction" })
        {
            var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-unbound/{sub}");
            Assert.Equal(405, status);
            Assert.Equal("MethodNotAllowed", body!["reason"]!.GetValue<string>());
        }

        var (unknown, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-unbound/nonsense");
        Assert.Equal(404, unknown);
        var (missingPod, missingBody, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/no-such-pod/log");
        Assert.Equal(404, missingPod);
        Assert.Equal("pods \"no-such-pod\" not found", missingBody!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pods_OnANode_ExecWithoutUpgrade_UpgradeRequired_ContainerChecked()
    {
        await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/nodes", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = "wire-node" } });
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("sub-bound", "wire-node"));

        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/sub-bound/exec?command=ls");
        Assert.Equal(400, status);
        Assert.Equal("Upgrade request required", body!["message"]!.GetValue<string>());

        var (bad, badBody, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-bound/attach?container=nope");
        Assert.Equal(400, bad);
        Assert.Equal("container nope is not valid for pod sub-bound", badBody!["message"]!.GetValue<string>());

        var (tail, tailBody, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/sub-bound/log?tailLines=-1");
        Assert.Equal(422, tail);
        Assert.Equal("PodLogOptions \"sub-bound\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0", tailBody!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task FreshObjects_CarryGoZeroFields_InResponsesAndWatchEvents()
    {
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/daemonsets");
        var rv = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var watchReq = new HttpRequestMessage(HttpMethod.Get, $"/apis/apps/v1/namespaces/default/daemonsets?watch=true&resourceVersion={rv}");
        using var watch = await f.Cp.Client.SendAsync(watchReq, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(cts.Token));

        var ds = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "DaemonSet",
            ["metadata"] = new JsonObject { ["name"] = "zeros" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["a"] = "b" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) },
                },
            },
        };
        var (created, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/daemonsets", ds);
        Assert.Equal(201, created);
        AssertDaemonSetZeros(body!["status"]!.AsObject());

        var line = await reader.ReadLineAsync(cts.Token);
        var ev = JsonNode.Parse(line!)!;
        Assert.Equal("ADDED", ev["type"]!.GetValue<string>());
        AssertDaemonSetZeros(ev["object"]!["status"]!.AsObject());

        var (_, rc, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/replicationcontrollers", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ReplicationController",
            ["metadata"] = new JsonObject { ["name"] = "zeros" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["a"] = "b" },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) },
                },
            },
        });
        Assert.Equal(0, rc!["status"]!["replicas"]!.GetValue<int>());
    }

    private static void AssertDaemonSetZeros(JsonObject status)
    {
        foreach (var field in new[] { "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady" })
        {
            Assert.Equal(0, status[field]!.GetValue<int>());
        }

        Assert.False(status.ContainsKey("numberAvailable")); // omitempty upstream
    }

    [Fact]
    public async Task Node_WithoutSpec_GetsEmptySpec_NoNullManagedFields_CordonPatchApplies()
    {
        var (_, node, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/nodes", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = "cordon-me" } });
        Assert.NotNull(node!["spec"] as JsonObject);
        var meta = node["metadata"]!.AsObject();
        Assert.True(!meta.ContainsKey("managedFields") || meta["managedFields"] is JsonArray { Count: > 0 });

        var patch = JsonNode.Parse("""[{"op":"replace","path":"/spec/unschedulable","value":true}]""");
        var (status, patched, _) = await f.Cp.SendAsync(HttpMethod.Patch, "/api/v1/nodes/cordon-me", patch, "application/json-patch+json");
        Assert.Equal(200, status);
        Assert.True(patched!["spec"]!["unschedulable"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("", "curl/8.5.0", true)]
    [InlineData("", "Wget/1.21", true)]
    [InlineData("", "Mozilla/5.0 (X11)", true)]
    [InlineData("", "kubectl/v1.32.0", false)]
    [InlineData("?pretty=True", "kubectl/v1.32.0", true)]
    [InlineData("?pretty=1", "", true)]
    [InlineData("?pretty=0", "curl/8.5.0", false)]
    [InlineData("?pretty=yes", "curl/8.5.0", false)]
    public async Task Pretty_AsUpstreamDecides_IndentedWithoutNewline(string query, string userAgent, bool pretty)
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("pretty"));
        using var req = new HttpRequestMessage(HttpMethod.Get, $"{ConfigMaps}/pretty{query}");
        if (userAgent.Length > 0)
        {
            req.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        using var resp = await f.Cp.Client.SendAsync(req);
        var body = await resp.Content.ReadAsStringAsync();
        if (pretty)
        {
            Assert.StartsWith("{\n  \"", body, StringComparison.Ordinal);
            Assert.Contains("\"data\": {\n    \"k\": \"v\"\n  }", body, StringComparison.Ordinal);
            Assert.EndsWith("\n}", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("\n ", body, StringComparison.Ordinal);
            Assert.EndsWith("}\n", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("POST", ConfigMaps + "?dryRun=Some", "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Some\"}: supported values: \"All\"")]
    [InlineData("PUT", ConfigMaps + "/dry?dryRun=All&dryRun=x", "UpdateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"All\", \"x\"}: supported values: \"All\"")]
    [InlineData("PATCH", ConfigMaps + "/dry?dryRun=", "PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"\"}: supported values: \"All\"")]
    [InlineData("DELETE", ConfigMaps + "/dry?dryRun=true", "DeleteOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"true\"}: supported values: \"All\"")]
    public async Task DryRun_OtherThanAll_InvalidOptions(string method, string path, string message)
    {
        await f.Cp.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("dry"));
        var body = method == "DELETE" ? null : method == "PATCH" ? JsonNode.Parse("{}") : ConfigMap("dry");
        var (status, error, _) = await f.Cp.SendAsync(new HttpMethod(method), path, body, method == "PATCH" ? "application/merge-patch+json" : "application/json");
        Assert.Equal(422, status);
        Assert.Equal(message, error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task FieldManager_TooLong_InvalidCreateOptions()
    {
        var (status, error, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{ConfigMaps}?fieldManager={new string('m', 129)}", ConfigMap("manager-long"));
        Assert.Equal(422, status);
        Assert.Equal("CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: must have at most 128 bytes", error!["message"]!.GetValue<string>());
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, $"{ConfigMaps}?fieldManager={new string('m', 128)}", ConfigMap("manager-long"))).Status);
    }
}
