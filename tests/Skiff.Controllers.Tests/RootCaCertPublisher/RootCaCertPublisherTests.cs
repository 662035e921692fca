using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using Publisher = Skiff.Controllers.RootCaCertPublisher.RootCaCertPublisher;

namespace Skiff.Controllers.Tests.RootCaCertPublisher;

public sealed class RootCaCertPublisherTests
{
    [Fact]
    public async Task NewNamespace_GetsBundle_RestoredAfterDeleteAndChange()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["root-ca-cert-publisher"]));
        var bundle = h.ControlPlane.Host.Certificates.Ca.ExportCertificatePem();
        var ns = await h.NamespaceAsync();
        var cms = h.Clientset.CoreV1().ConfigMaps(ns);
        bool Published(IReadOnlyList<V1ConfigMap> l) => l.Any(c => c.Metadata.Name == Publisher.ConfigMapName
            && c.Data?.Count == 1 && Get(c.Data, Publisher.DataKey) == bundle
            && Get(c.Metadata.Annotations, Publisher.DescriptionAnnotation) == Publisher.Description);

        var first = (await ListWatch.UntilAsync(cms, Published)).Single(c => c.Metadata.Name == Publisher.ConfigMapName);
        Assert.Equal(bundle.Trim(), await h.Kubectl.OkAsync("get", "cm", Publisher.ConfigMapName, "-n", ns, "-o", "jsonpath={.data.ca\\.crt}"));

        // Changed: the data comes back, a label the user added stays.
        await h.Kubectl.OkAsync("patch", "cm", Publisher.ConfigMapName, "-n", ns, "--type=merge",
            "-p", """{"metadata":{"labels":{"mine":"yes"}},"data":{"ca.crt":"tampered","extra":"x"}}""");
        var restored = await ListWatch.UntilAsync(cms, l => Published(l) && l.Any(c => Get(c.Metadata.Labels, "mine") == "yes"));
        Assert.Equal(first.Metadata.Uid, restored.Single(c => c.Metadata.Name == Publisher.ConfigMapName).Metadata.Uid);

        // Deleted: recreated.
        await h.Kubectl.OkAsync("delete", "cm", Publisher.ConfigMapName, "-n", ns);
        var recreated = await ListWatch.UntilAsync(cms, l => Published(l) && l.All(c => c.Metadata.Uid != first.Metadata.Uid));
        Assert.Single(recreated, c => c.Metadata.Name == Publisher.ConfigMapName);
    }

    private static string? Get(IDictionary<string, string>? d, string key) => d is not null && d.TryGetValue(key, out var v) ? v : null;

    [Fact]
    public void Register_WithoutBundle_Throws()
    {
        var d = BuiltInControllers.All.Single(c => c.Name == "root-ca-cert-publisher");
        Assert.Throws<InvalidOperationException>(() => d.Register(new ControllerContext
        {
            Manager = null!,
            Dynamic = null!,
            Discovery = null!,
        }));
    }
}
