using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>pods/binding, bindings and pods/eviction.</summary>
public sealed class PodSubresourceTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private static JsonObject Pod(string name, string app = "web") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) },
    };

    private static JsonObject Binding(string pod, string node) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Binding",
        ["metadata"] = new JsonObject { ["name"] = pod },
        ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = node },
    };

    private static JsonObject Eviction(string pod) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "Eviction",
        ["metadata"] = new JsonObject { ["name"] = pod, ["namespace"] = "default" },
    };

    [Fact]
    public async Task Binding_UnboundPod_SetsNodeNameThenConflicts()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("bind-me"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/bind-me/binding", Binding("bind-me", "node-1"));
        Assert.Equal(201, status);
        Assert.Equal("Success", body!["status"]!.GetValue<string>());

        var (_, pod, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/bind-me");
        Assert.Equal("node-1", pod!["spec"]!["nodeName"]!.GetValue<string>());
        var scheduled = pod["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "PodScheduled");
        Assert.Equal("True", scheduled!["status"]!.GetValue<string>());

        var (again, error, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/bind-me/binding", Binding("bind-me", "node-2"));
        Assert.Equal(409, again);
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"bind-me\": pod bind-me is already assigned to node \"node-1\"", error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task BindingsResource_Post_BindsNamedPod()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("bind-coll"));
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/bindings", Binding("bind-coll", "node-3"));
        Assert.Equal(201, status);
        var (_, pod, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/bind-coll");
        Assert.Equal("node-3", pod!["spec"]!["nodeName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Binding_NameMismatchOrNoTarget_Rejected()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("bind-bad"));
        var (mismatch, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/bind-bad/binding", Binding("other", "n"));
        Assert.Equal(400, mismatch);
        var noTarget = Binding("bind-bad", "");
        var (invalid, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/bind-bad/binding", noTarget);
        Assert.Equal(422, invalid);
        Assert.Equal("Binding \"bind-bad\" is invalid: target.name: Required value", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Eviction_PendingPod_DeletesIt()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("evict-me"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/evict-me/eviction", Eviction("evict-me"));
        Assert.Equal(201, status);
        Assert.Equal("Success", body!["status"]!.GetValue<string>());
        var (gone, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/evict-me");
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task Eviction_ProtobufBody_DeletesPod()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("evict-pb"));
        using var req = new HttpRequestMessage(HttpMethod.Post, $"{Pods}/evict-pb/eviction")
        {
            Content = new ByteArrayContent(ProtobufCodec.Encode(Eviction("evict-pb"))),
        };
        req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/vnd.kubernetes.protobuf");
        req.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf, application/json");
        using var resp = await f.Cp.Client.SendAsync(req);
        Assert.Equal(201, (int)resp.StatusCode);
        Assert.Equal("Success", ProtobufCodec.Decode(await resp.Content.ReadAsByteArrayAsync())["status"]!.GetValue<string>());
        var (gone, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/evict-pb");
        Assert.Equal(404, gone);
    }

    [Fact]
    public async Task Eviction_RunningPodUnderBudget_Returns429AndKeepsPod()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Pods, Pod("evict-guarded", app: "guarded"));
        var (statusCode, _, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Pods}/evict-guarded/status",
            JsonNode.Parse("{\"status\":{\"phase\":\"Running\"}}"), "application/merge-patch+json");
        Assert.Equal(200, statusCode);
        var pdb = new JsonObject
        {
            ["apiVersion"] = "policy/v1",
            ["kind"] = "PodDisruptionBudget",
            ["metadata"] = new JsonObject { ["name"] = "guard" },
            ["spec"] = new JsonObject { ["minAvailable"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "guarded" } } },
        };
        var (pdbStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb);
        Assert.Equal(201, pdbStatus);

        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Pods}/evict-guarded/eviction", Eviction("evict-guarded"));
        Assert.Equal(429, status);
        Assert.Equal("TooManyRequests", body!["reason"]!.GetValue<string>());
        Assert.Equal("DisruptionBudget", body["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        var (still, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/evict-guarded");
        Assert.Equal(200, still);
    }
}
