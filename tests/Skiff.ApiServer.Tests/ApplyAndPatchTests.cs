using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>Server-side apply, managedFields and strategic merge patch through the HTTP API.</summary>
public sealed class ApplyAndPatchTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Deploys = "/apis/apps/v1/namespaces/default/deployments";
    private const string Apply = "application/apply-patch+yaml";

    private static JsonObject Deployment(string name, int replicas, params (string Name, string Image)[] containers) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["image"] = c.Image }).ToArray()),
                },
            },
        },
    };

    private static JsonObject? Entry(JsonNode obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().OfType<JsonObject>().FirstOrDefault(e => e["manager"]!.GetValue<string>() == manager);

    [Fact]
    public async Task Apply_Absent_Creates201WithApplyEntry()
    {
        var (status, body, resp) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-create?fieldManager=tool", Deployment("ssa-create", 1, ("c", "nginx")), Apply);
        Assert.Equal(201, status);
        var entry = Entry(body!, "tool")!;
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("apps/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!["k:{\"name\":\"c\"}"]);
        var raw = await resp.Content.ReadAsStringAsync();
        Assert.Contains("\"k:{\\\"name\\\":\\\"c\\\"}\"", raw);
        Assert.DoesNotContain("\\u0022", raw);
    }

    [Fact]
    public async Task Apply_SameManagerTwice_UpdatesAndRemovesDroppedContainer()
    {
        await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-twice?fieldManager=tool", Deployment("ssa-twice", 1, ("a", "nginx"), ("b", "busybox")), Apply);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-twice?fieldManager=tool", Deployment("ssa-twice", 3, ("a", "nginx:2")), Apply);
        Assert.Equal(200, status);
        Assert.Equal(3, body!["spec"]!["replicas"]!.GetValue<int>());
        var containers = body["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["a"], containers.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("nginx:2", containers[0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_Unchanged_KeepsResourceVersion()
    {
        var (_, first, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-noop?fieldManager=tool", Deployment("ssa-noop", 1, ("c", "nginx")), Apply);
        var (status, second, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-noop?fieldManager=tool", Deployment("ssa-noop", 1, ("c", "nginx")), Apply);
        Assert.Equal(200, status);
        Assert.Equal(first!["metadata"]!["resourceVersion"]!.GetValue<string>(), second!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_OtherManagerChangesOwnedField_Returns409UnlessForced()
    {
        await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-conflict?fieldManager=one", Deployment("ssa-conflict", 1, ("c", "nginx")), Apply);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-conflict?fieldManager=two", Deployment("ssa-conflict", 5, ("c", "nginx")), Apply);
        Assert.Equal(409, status);
        Assert.Equal("Conflict", body!["reason"]!.GetValue<string>());
        Assert.Equal("Apply failed with 1 conflict: conflict with \"one\": .spec.replicas", body["message"]!.GetValue<string>());
        Assert.Equal("FieldManagerConflict", body["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(".spec.replicas", body["details"]!["causes"]![0]!["field"]!.GetValue<string>());

        var (forced, after, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-conflict?fieldManager=two&force=true", Deployment("ssa-conflict", 5, ("c", "nginx")), Apply);
        Assert.Equal(200, forced);
        Assert.Equal(5, after!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Null(Entry(after, "one")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(Entry(after, "two")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public async Task Apply_WithoutFieldManager_Returns422PatchOptions()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/ssa-nomgr", Deployment("ssa-nomgr", 1, ("c", "nginx")), Apply);
        Assert.Equal(422, status);
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_ForceOnMergePatch_Returns422()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Deploys, Deployment("mp-force", 1, ("c", "nginx")));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/mp-force?force=true", JsonNode.Parse("{\"spec\":{\"replicas\":2}}"), "application/merge-patch+json");
        Assert.Equal(422, status);
        Assert.Contains("force: Forbidden: may not be specified for non-apply patch", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task StrategicMergePatch_Containers_MergedByName()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Deploys, Deployment("smp-merge", 1, ("a", "nginx"), ("b", "busybox")));
        var patch = JsonNode.Parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"busybox:2\"}]}}}}");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/smp-merge?fieldManager=patcher", patch, "application/strategic-merge-patch+json");
        Assert.Equal(200, status);
        var containers = body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["a", "b"], containers.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("busybox:2", containers[1]!["image"]!.GetValue<string>());
        Assert.Equal("Update", Entry(body, "patcher")!["operation"]!.GetValue<string>());
    }

    [Fact]
    public async Task MergePatch_Containers_ReplacesList()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Deploys, Deployment("jmp-replace", 1, ("a", "nginx"), ("b", "busybox")));
        var patch = JsonNode.Parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"busybox:2\"}]}}}}");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/jmp-replace", patch, "application/merge-patch+json");
        Assert.Equal(200, status);
        Assert.Single(body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray());
    }

    [Fact]
    public async Task Create_StatusBeforeSpec_StatusKeepsItsPlaceAndIsNotOwned()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "mf-status-order" },
            ["status"] = new JsonObject { ["replicas"] = 3 },
            ["spec"] = Deployment("mf-status-order", 1, ("c", "nginx"))["spec"]!.DeepClone(),
        };
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Deploys}?fieldManager=creator", body);
        Assert.Equal(201, status);
        Assert.Equal(["apiVersion", "kind", "metadata", "status", "spec"], created!.AsObject().Select(p => p.Key));
        Assert.Null(Entry(created, "creator")!["fieldsV1"]!["f:status"]);
        Assert.NotNull(Entry(created, "creator")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        var (_, read, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Deploys}/mf-status-order");
        Assert.Equal(["apiVersion", "kind", "metadata", "status", "spec"], read!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Update_OtherManager_TakesOwnershipOfChangedField()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Deploys}?fieldManager=creator", Deployment("mf-update", 1, ("c", "nginx")));
        Assert.NotNull(Entry(created!, "creator")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.Null(Entry(created!, "creator")!["fieldsV1"]!["f:status"]);
        var changed = Deployment("mf-update", 4, ("c", "nginx"));
        var (status, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Deploys}/mf-update?fieldManager=updater", changed);
        Assert.Equal(200, status);
        Assert.Null(Entry(updated!, "creator")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
        Assert.NotNull(Entry(updated!, "updater")!["fieldsV1"]!["f:spec"]!["f:replicas"]);
    }

    [Fact]
    public async Task StrategicMergePatch_StrictWithDirectives_Accepted()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Deploys, Deployment("smp-strict", 1, ("a", "nginx"), ("b", "busybox")));
        var patch = JsonNode.Parse("{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"}],\"containers\":[{\"name\":\"b\",\"image\":\"busybox:3\"},{\"$patch\":\"delete\",\"name\":\"a\"}]}}}}");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/smp-strict?fieldValidation=Strict", patch, "application/strategic-merge-patch+json");
        Assert.Equal(200, status);
        var containers = body!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["b"], containers.Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_UnknownFieldWithIgnore_IsNotStored()
    {
        var obj = Deployment("unknown-pruned", 1, ("c", "nginx"));
        obj["spec"]!["bogus"] = 1;
        obj["spec"]!["template"]!["spec"]!["containers"]![0]!["weird"] = "x";
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"{Deploys}?fieldValidation=Ignore", obj);
        Assert.Equal(201, status);
        Assert.Null(body!["spec"]!["bogus"]);
        Assert.Null(body["spec"]!["template"]!["spec"]!["containers"]![0]!["weird"]);
        Assert.Equal("nginx", body["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_DryRun_AnswersAtCurrentResourceVersionAndStoresNothing()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Deploys, Deployment("dry-patch", 1, ("c", "nginx")));
        var rv = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var (status, preview, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Deploys}/dry-patch?dryRun=All",
            JsonNode.Parse("{\"spec\":{\"replicas\":7}}"), "application/merge-patch+json");
        Assert.Equal(200, status);
        Assert.Equal(7, preview!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(rv, preview["metadata"]!["resourceVersion"]!.GetValue<string>());
        var (_, stored, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Deploys}/dry-patch");
        Assert.Equal(1, stored!["spec"]!["replicas"]!.GetValue<int>());
    }
}
