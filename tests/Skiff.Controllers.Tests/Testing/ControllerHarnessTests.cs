using k8s.Models;
using Xunit;

namespace Skiff.Controllers.Tests.Testing;

public sealed class ControllerHarnessTests
{
    [Fact]
    public async Task StartAsync_NoControllers_ServesAndWaitsOnWatch()
    {
        await using var h = await ControllerHarness.StartAsync([]);
        var ns = await h.NamespaceAsync();
        var cms = h.Clientset.CoreV1().ConfigMaps(ns);
        var waiting = ListWatch.UntilAsync(cms, l => l.Any(c => c.Metadata.Name == "x"));
        await cms.CreateAsync(new V1ConfigMap { Metadata = new() { Name = "x" } });
        var seen = await waiting;
        Assert.Contains(seen, c => c.Metadata.Name == "x");
        Assert.Equal("x", await h.Kubectl.OkAsync("get", "cm", "-n", ns, "x", "-o", "jsonpath={.metadata.name}"));
    }
}
