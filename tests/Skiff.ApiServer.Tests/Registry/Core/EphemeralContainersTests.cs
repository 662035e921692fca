using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

/// <summary><c>pods/ephemeralcontainers</c>, driven by the real <c>kubectl debug</c>.</summary>
public sealed class EphemeralContainersTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    [Fact]
    public async Task KubectlDebug_AddsAnEphemeralContainer_TargetingTheApp()
    {
        await CreatePodAsync("debug-me");

        var (exit, _, stderr) = await new Kubectl(f.Cp.KubeconfigPath).RunAsync(
            ["debug", "debug-me", "--image=busybox", "-c", "debugger", "--target=app", "--", "sleep", "1"]);

        Assert.True(exit == 0, stderr);
        var (_, pod, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/debug-me");
        var ephemeral = Assert.Single(pod!["spec"]!["ephemeralContainers"]!.AsArray())!;
        Assert.Equal("debugger", ephemeral["name"]!.GetValue<string>());
        Assert.Equal("app", ephemeral["targetContainerName"]!.GetValue<string>());
        Assert.Equal("busybox", ephemeral["image"]!.GetValue<string>());
        Assert.Equal("File", ephemeral["terminationMessagePolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_RemovingOrChangingOrForbiddenFields_Is422()
    {
        await CreatePodAsync("ephemeral-rules");
        var (_, pod, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}/ephemeral-rules");
        var withDebugger = (JsonObject)pod!.DeepClone();
        withDebugger["spec"]!["ephemeralContainers"] = new JsonArray(new JsonObject { ["name"] = "dbg", ["image"] = "busybox" });
        var (added, addedPod, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/ephemeral-rules/ephemeralcontainers", withDebugger);
        Assert.Equal(200, added);

        var removed = (JsonObject)addedPod!.DeepClone();
        removed["spec"]!.AsObject().Remove("ephemeralContainers");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/ephemeral-rules/ephemeralcontainers", removed);
        Assert.Equal(422, status);
        Assert.Contains("existing ephemeral containers \"dbg\" may not be removed", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var withPorts = (JsonObject)addedPod.DeepClone();
        withPorts["spec"]!["ephemeralContainers"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "dbg2",
            ["image"] = "busybox",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80 }),
        });
        (status, body, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/ephemeral-rules/ephemeralcontainers", withPorts);
        Assert.Equal(422, status);
        Assert.Contains("spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // The main resource cannot add them.
        var viaPod = (JsonObject)addedPod.DeepClone();
        viaPod["spec"]!["ephemeralContainers"]!.AsArray().Add(new JsonObject { ["name"] = "dbg3", ["image"] = "busybox" });
        (status, _, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/ephemeral-rules", viaPod);
        Assert.Equal(422, status);
    }

    private async Task CreatePodAsync(string name)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "busybox" }) },
        };
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, Pods, pod);
        Assert.Equal(201, status);
    }
}
