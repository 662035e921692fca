using System.Text.Json.Nodes;
using Skiff.Storage.Memory;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>The bootstrap ensurer across a restart on the same store (apf.kubernetes.io/autoupdate-spec semantics).</summary>
public sealed class FlowControlEnsurerTests
{
    private const string Levels = "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations";

    [Fact]
    public async Task Restart_RestoresAutoUpdatedSpecs_KeepsOptedOut_DeletesStaleBootstrapObjects()
    {
        await using var storage = new MemoryStorage();
        await using (var first = await TestControlPlane.StartAsync(storage: storage))
        {
            // Opted out: the admin's spec stays.
            await ChangeSharesAsync(first, "workload-low", 7, "false");

            // Still auto-updated: put back.
            await ChangeSharesAsync(first, "global-default", 9, "true");

            // Mandatory: always put back.
            await ChangeSharesAsync(first, "catch-all", 11, "false");

            // Not (any more) in the bootstrap set but marked auto-updated: deleted; unmarked: kept.
            Assert.Equal(201, (await first.SendAsync(HttpMethod.Post, Levels, Level("retired-level", "true"))).Status);
            Assert.Equal(201, (await first.SendAsync(HttpMethod.Post, Levels, Level("admins-level", null))).Status);
        }

        await using var second = await TestControlPlane.StartAsync(storage: storage);
        Assert.Equal(7, await SharesAsync(second, "workload-low"));
        Assert.Equal(20, await SharesAsync(second, "global-default"));
        Assert.Equal(5, await SharesAsync(second, "catch-all"));
        Assert.Equal(404, (await second.SendAsync(HttpMethod.Get, Levels + "/retired-level")).Status);
        Assert.Equal(200, (await second.SendAsync(HttpMethod.Get, Levels + "/admins-level")).Status);
    }

    [Fact]
    public async Task Periodically_DeletedMandatoryAndSuggestedObjectsComeBack()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: a => a with
        {
            FlowControl = new Skiff.ApiServer.FlowControl.FlowControlSettings { EnsurePeriod = TimeSpan.FromMilliseconds(200) },
        });
        const string Schemas = "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas";
        foreach (var (path, name) in new[] { (Schemas, "catch-all"), (Levels, "catch-all"), (Schemas, "global-default") })
        {
            var (code, deleted, _) = await cp.SendAsync(HttpMethod.Delete, $"{path}/{name}");
            Assert.True(code == 200, deleted?.ToJsonString());
            var rv = (string?)deleted!["metadata"]?["resourceVersion"] ?? (string?)deleted["details"]?["resourceVersion"];

            // Watch from the deletion: the ensurer creates it again.
            using var response = await cp.Client.GetAsync($"{path}?watch=true&fieldSelector=metadata.name%3D{name}&resourceVersion={rv}",
                HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var line = await reader.ReadLineAsync(deadline.Token);
                Assert.NotNull(line);
                if ((string?)JsonNode.Parse(line)!["type"] == "ADDED")
                {
                    break;
                }
            }

            Assert.Equal(200, (await cp.SendAsync(HttpMethod.Get, $"{path}/{name}")).Status);
        }
    }

    private static async Task ChangeSharesAsync(TestControlPlane cp, string name, int shares, string autoUpdate)
    {
        var (_, pl, _) = await cp.SendAsync(HttpMethod.Get, $"{Levels}/{name}");
        pl!["spec"]!["limited"]!["nominalConcurrencyShares"] = shares;
        pl["metadata"]!["annotations"]!["apf.kubernetes.io/autoupdate-spec"] = autoUpdate;
        var (code, body, _) = await cp.SendAsync(HttpMethod.Put, $"{Levels}/{name}", pl);
        Assert.True(code == 200, body?.ToJsonString());
    }

    private static async Task<int> SharesAsync(TestControlPlane cp, string name)
    {
        var (_, pl, _) = await cp.SendAsync(HttpMethod.Get, $"{Levels}/{name}");
        return (int)pl!["spec"]!["limited"]!["nominalConcurrencyShares"]!;
    }

    private static JsonObject Level(string name, string? autoUpdate)
    {
        var meta = new JsonObject { ["name"] = name };
        if (autoUpdate is not null)
        {
            meta["annotations"] = new JsonObject { ["apf.kubernetes.io/autoupdate-spec"] = autoUpdate };
        }

        return new JsonObject
        {
            ["apiVersion"] = "flowcontrol.apiserver.k8s.io/v1",
            ["kind"] = "PriorityLevelConfiguration",
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["type"] = "Limited", ["limited"] = new JsonObject { ["nominalConcurrencyShares"] = 1, ["limitResponse"] = new JsonObject { ["type"] = "Reject" } } },
        };
    }
}
