using System.Net;
using System.Text.Json.Nodes;
using Skiff.Testing;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>FlowSchemas and PriorityLevelConfigurations served, bootstrapped and enforced on one in-process server.</summary>
public sealed class FlowControlApiTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Group = "/apis/flowcontrol.apiserver.k8s.io/v1";

    [Fact]
    public async Task Bootstrap_EveryUpstreamObjectIsStoredWithTheAutoUpdateAnnotation()
    {
        var (_, fs, _) = await f.Cp.SendAsync(HttpMethod.Get, Group + "/flowschemas");
        var (_, pl, _) = await f.Cp.SendAsync(HttpMethod.Get, Group + "/prioritylevelconfigurations");
        var fsNames = fs!["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToHashSet();
        var plNames = pl!["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "exempt", "probes", "system-leader-election", "endpoint-controller", "workload-leader-election", "system-node-high", "system-nodes",
            "kube-controller-manager", "kube-scheduler", "kube-system-service-accounts", "service-accounts", "global-default", "catch-all",
        }, fsNames);
        Assert.Superset(new HashSet<string> { "exempt", "catch-all", "system", "node-high", "leader-election", "workload-high", "workload-low", "global-default" }, plNames);
        foreach (var item in fs["items"]!.AsArray().Concat(pl["items"]!.AsArray()))
        {
            Assert.Equal("true", (string?)item!["metadata"]!["annotations"]?["apf.kubernetes.io/autoupdate-spec"]);
        }

        var catchAll = pl["items"]!.AsArray().Single(i => (string)i!["metadata"]!["name"]! == "catch-all")!;
        Assert.Equal("Reject", (string)catchAll["spec"]!["limited"]!["limitResponse"]!["type"]!);
        Assert.Equal(5, (int)catchAll["spec"]!["limited"]!["nominalConcurrencyShares"]!);
    }

    [Fact]
    public async Task FlowSchemaStatus_DanglingFalseWhenTheLevelExists_TrueWhenNot()
    {
        var name = "dangling-" + Guid.NewGuid().ToString("N")[..6];
        var body = Schema(name, "no-such-level-" + name, 5000);
        var (code, _, _) = await f.Cp.SendAsync(HttpMethod.Post, Group + "/flowschemas", body);
        Assert.Equal(201, code);
        var dangling = await WaitForConditionAsync(name, "True");
        Assert.Equal("NotFound", (string)dangling["reason"]!);
        var good = await WaitForConditionAsync("global-default", "False");
        Assert.Equal("Found", (string)good["reason"]!);
        Assert.Equal("This FlowSchema references the PriorityLevelConfiguration object named \"global-default\" and it exists", (string)good["message"]!);
        await f.Cp.SendAsync(HttpMethod.Delete, $"{Group}/flowschemas/{name}");
    }

    [Fact]
    public async Task Responses_CarryTheFlowSchemaAndPriorityLevelUids()
    {
        var (_, fs, _) = await f.Cp.SendAsync(HttpMethod.Get, Group + "/flowschemas/exempt");
        var (_, pl, _) = await f.Cp.SendAsync(HttpMethod.Get, Group + "/prioritylevelconfigurations/exempt");
        var (_, _, response) = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces");
        Assert.Equal((string)fs!["metadata"]!["uid"]!, response.Headers.GetValues("X-Kubernetes-PF-FlowSchema-UID").Single());
        Assert.Equal((string)pl!["metadata"]!["uid"]!, response.Headers.GetValues("X-Kubernetes-PF-PriorityLevel-UID").Single());
    }

    [Theory]
    [InlineData("{\"matchingPrecedence\":1,\"priorityLevelConfiguration\":{\"name\":\"global-default\"}}", "spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1")]
    [InlineData("{\"matchingPrecedence\":20000,\"priorityLevelConfiguration\":{\"name\":\"global-default\"}}", "must not be greater than 10000")]
    [InlineData("{\"priorityLevelConfiguration\":{\"name\":\"\"}}", "spec.priorityLevelConfiguration.name: Required value: must reference a priority level")]
    [InlineData("{\"priorityLevelConfiguration\":{\"name\":\"x\"},\"distinguisherMethod\":{\"type\":\"ByPod\"}}", "spec.distinguisherMethod.type: Unsupported value")]
    [InlineData("{\"priorityLevelConfiguration\":{\"name\":\"x\"},\"rules\":[{\"subjects\":[],\"resourceRules\":[{\"verbs\":[\"get\",\"*\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"namespaces\":[\"*\"]}]}]}",
        "spec.rules[0].subjects: Required value: subjects must contain at least one value")]
    public async Task InvalidFlowSchema_Gets422(string spec, string message)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
            ["kind"] = "FlowSchema",
            ["metadata"] = new JsonObject { ["name"] = "bad-" + Guid.NewGuid().ToString("N")[..6] },
            ["spec"] = JsonNode.Parse(spec),
        };
        var (code, status, _) = await f.Cp.SendAsync(HttpMethod.Post, Group + "/flowschemas", body);
        Assert.Equal(422, code);
        Assert.Contains(message, (string)status!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad-exempt", "{\"type\":\"Exempt\"}", "spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'")]
    [InlineData("bad-queues", "{\"type\":\"Limited\",\"limited\":{\"limitResponse\":{\"type\":\"Queue\",\"queuing\":{\"queues\":4,\"handSize\":8}}}}", "spec.limited.limitResponse.queuing.handSize: Invalid value: 8: should not be greater than queues (4)")]
    [InlineData("bad-entropy", "{\"type\":\"Limited\",\"limited\":{\"limitResponse\":{\"type\":\"Queue\",\"queuing\":{\"queues\":128,\"handSize\":10}}}}", "required entropy bits of deckSize 128 and handSize 10 should not be greater than 60")]
    [InlineData("bad-reject", "{\"type\":\"Limited\",\"limited\":{\"limitResponse\":{\"type\":\"Reject\",\"queuing\":{}}}}", "spec.limited.limitResponse.queuing: Forbidden")]
    [InlineData("bad-lendable", "{\"type\":\"Limited\",\"limited\":{\"lendablePercent\":101,\"limitResponse\":{\"type\":\"Reject\"}}}", "must be between 0 and 100, inclusive")]
    public async Task InvalidPriorityLevel_Gets422(string name, string spec, string message)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
            ["kind"] = "PriorityLevelConfiguration",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = JsonNode.Parse(spec),
        };
        var (code, status, _) = await f.Cp.SendAsync(HttpMethod.Post, Group + "/prioritylevelconfigurations", body);
        Assert.Equal(422, code);
        Assert.Contains(message, (string)status!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PriorityLevel_DefaultsAsUpstreamV1()
    {
        var name = "defaults-" + Guid.NewGuid().ToString("N")[..6];
        var body = new JsonObject
        {
            ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
            ["kind"] = "PriorityLevelConfiguration",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["type"] = "Limited", ["limited"] = new JsonObject { ["limitResponse"] = new JsonObject { ["type"] = "Queue", ["queuing"] = new JsonObject() } } },
        };
        var (code, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Group + "/prioritylevelconfigurations", body);
        Assert.Equal(201, code);
        var limited = created!["spec"]!["limited"]!;
        Assert.Equal(30, (int)limited["nominalConcurrencyShares"]!);
        Assert.Equal(0, (int)limited["lendablePercent"]!);
        Assert.Equal(64, (int)limited["limitResponse"]!["queuing"]!["queues"]!);
        Assert.Equal(8, (int)limited["limitResponse"]!["queuing"]!["handSize"]!);
        Assert.Equal(50, (int)limited["limitResponse"]!["queuing"]!["queueLengthLimit"]!);
        Assert.Equal(1, (int)created["metadata"]!["generation"]!);
        await f.Cp.SendAsync(HttpMethod.Delete, $"{Group}/prioritylevelconfigurations/{name}");
    }

    [Fact]
    public async Task MandatoryFlowSchema_SpecIsFixed()
    {
        var (_, exempt, _) = await f.Cp.SendAsync(HttpMethod.Get, Group + "/flowschemas/exempt");
        exempt!["spec"]!["matchingPrecedence"] = 2;
        var (code, status, _) = await f.Cp.SendAsync(HttpMethod.Put, Group + "/flowschemas/exempt", exempt);
        Assert.Equal(422, code);
        Assert.Contains("spec of 'exempt' must equal the fixed value", (string)status!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_GetShowsUpstreamColumns()
    {
        if (!Kubectl.IsAvailable)
        {
            return;
        }

        var k = new Kubectl(f.Cp.KubeconfigPath);
        await WaitForConditionAsync("global-default", "False");
        var fs = await k.OkAsync("get", "flowschemas");
        var header = fs.Split('\n')[0];
        Assert.Matches(@"^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL\s*$", header);
        Assert.Matches(@"(?m)^exempt\s+exempt\s+1\s+<none>\s+\S+\s+False\s*$", fs);
        Assert.Matches(@"(?m)^global-default\s+global-default\s+9900\s+ByUser\s+\S+\s+False\s*$", fs);
        Assert.Matches(@"(?m)^kube-controller-manager\s+workload-high\s+800\s+ByNamespace\s+", fs);
        var pl = await k.OkAsync("get", "prioritylevelconfigurations");
        Assert.Matches(@"^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE\s*$", pl.Split('\n')[0]);
        Assert.Matches(@"(?m)^catch-all\s+Limited\s+5\s+<none>\s+<none>\s+<none>\s+\S+\s*$", pl);
        Assert.Matches(@"(?m)^exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>\s+\S+\s*$", pl);
        Assert.Matches(@"(?m)^workload-high\s+Limited\s+40\s+128\s+6\s+50\s+\S+\s*$", pl);
        var both = await k.OkAsync("get", "flowschemas,prioritylevelconfigurations", "-o", "name");
        Assert.Contains("flowschema.flowcontrol.apiserver.k8s.io/probes", both, StringComparison.Ordinal);
        Assert.Contains("prioritylevelconfiguration.flowcontrol.apiserver.k8s.io/node-high", both, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_GivesItsSeatBackOnceInitialised_AndCountsAsAnOpenWatchUntilClosed()
    {
        var (code, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "apf-watcher-view" },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "view" },
            ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = "apf-watcher" }),
        });
        Assert.Equal(201, code);
        var flowControl = f.Cp.Host.FlowControl!;
        var write = Skiff.ApiServer.Http.RequestInfo.Parse("POST", "/api/v1/namespaces/default/configmaps", false);
        var watcher = f.Cp.Cluster.CreateHttpClient("apf-watcher");
        using (var response = await watcher.GetAsync(
            "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
            HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            Assert.True(response.Headers.Contains("X-Kubernetes-PF-PriorityLevel-UID"));
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await reader.ReadLineAsync(deadline.Token) is { } line
                && (string?)JsonNode.Parse(line)!["object"]?["metadata"]?["annotations"]?["k8s.io/initial-events-end"] != "true")
            {
            }

            // Initial events sent: the seat is back while the watch stays open, and writes count it.
            await EventuallyAsync(() => flowControl.SeatsInUse("global-default") == 0, "the watch's seat was never freed");
            Assert.Equal(1, flowControl.Watches.InterestedWatchCount(write));
        }

        await EventuallyAsync(() => flowControl.Watches.InterestedWatchCount(write) == 0, "the closed watch is still counted");
    }

    /// <summary>Waits (30 s at most) for a condition the server reaches asynchronously.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because);
            await Task.Delay(10);
        }
    }

    private async Task<JsonNode> WaitForConditionAsync(string name, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (_, fs, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Group}/flowschemas/{name}");
            if (Dangling(fs) is { } c && (string?)c["status"] == status)
            {
                return c;
            }

            Assert.True(DateTime.UtcNow < deadline, $"FlowSchema {name} never got Dangling={status}: {fs}");

            // Wait for the next change of the object (the watch ends after a few seconds at most).
            var rv = (string)fs!["metadata"]!["resourceVersion"]!;
            using var response = await f.Cp.Client.GetAsync(
                $"{Group}/flowschemas?watch=1&fieldSelector=metadata.name%3D{name}&resourceVersion={rv}&timeoutSeconds=5", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (Dangling(JsonNode.Parse(line)?["object"]) is { } changed && (string?)changed["status"] == status)
                {
                    break;
                }
            }
        }
    }

    private static JsonNode? Dangling(JsonNode? fs) =>
        fs?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Dangling");

    private static JsonObject Schema(string name, string level, int precedence) => new()
    {
        ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
        ["kind"] = "FlowSchema",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["priorityLevelConfiguration"] = new JsonObject { ["name"] = level },
            ["matchingPrecedence"] = precedence,
            ["rules"] = new JsonArray(new JsonObject
            {
                ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "User", ["user"] = new JsonObject { ["name"] = "nobody-" + name } }),
                ["nonResourceRules"] = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("get"), ["nonResourceURLs"] = new JsonArray("/nothing") }),
            }),
        },
    };
}
