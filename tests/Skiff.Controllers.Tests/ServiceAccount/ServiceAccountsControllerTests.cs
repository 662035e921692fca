using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.ServiceAccount;

public sealed class ServiceAccountsControllerTests
{
    [Fact]
    public async Task NewNamespace_GetsDefault_RecreatedAfterDelete()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["serviceaccount"]));
        var ns = await h.NamespaceAsync();
        var sas = h.Clientset.CoreV1().ServiceAccounts(ns);
        var first = (await ListWatch.UntilAsync(sas, l => l.Any(s => s.Metadata.Name == "default"))).Single(s => s.Metadata.Name == "default");

        await h.Kubectl.OkAsync("delete", "serviceaccount", "default", "-n", ns);
        var again = await ListWatch.UntilAsync(sas, l => l.Any(s => s.Metadata.Name == "default" && s.Metadata.Uid != first.Metadata.Uid));

        Assert.Single(again, s => s.Metadata.Name == "default");
    }

    [Fact]
    public async Task ExistingNamespaces_GetDefault()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["serviceaccount"]));
        var sas = h.Clientset.CoreV1().ServiceAccounts("default");
        var seen = await ListWatch.UntilAsync(sas, l => l.Any(s => s.Metadata.Name == "default"));
        Assert.Contains(seen, s => s.Metadata.Name == "default");
    }
}
