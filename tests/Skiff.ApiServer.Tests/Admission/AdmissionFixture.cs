using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>A control plane with upstream's default admission chain, ServiceAccount and Priority included.</summary>
public sealed class AdmissionFixture : IAsyncLifetime
{
    private int _next;

    public TestControlPlane Cp { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cp = await TestControlPlane.StartAsync(configure: o => o with { DisableAdmissionPlugins = [] });

    public async Task DisposeAsync() => await Cp.DisposeAsync();

    /// <summary>A fresh namespace with <paramref name="labels"/> and its default service account.</summary>
    public async Task<string> NamespaceAsync(string prefix, JsonObject? labels = null)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _next)}";
        var (status, body, _) = await Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels ?? [] } });
        Assert.True(status == 201, body?.ToJsonString());
        (status, body, _) = await Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{name}/serviceaccounts",
            JsonNode.Parse("""{"metadata":{"name":"default"}}"""));
        Assert.True(status == 201, body?.ToJsonString());
        return name;
    }

    /// <summary>A pod body with one container <c>c</c> (busybox) and <paramref name="spec"/> fields merged in.</summary>
    public static JsonObject Pod(string name, JsonObject? container = null, JsonObject? spec = null)
    {
        var c = container ?? [];
        c["name"] ??= "c";
        c["image"] ??= "busybox";
        var s = spec ?? [];
        s["containers"] = new JsonArray { c };
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = s };
    }
}
