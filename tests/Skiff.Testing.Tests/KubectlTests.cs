namespace Skiff.Testing.Tests;

/// <summary>The real kubectl against a test cluster's admin kubeconfig and another user's.</summary>
public sealed class KubectlTests
{
    [SkippableFact]
    public async Task Kubectl_DrivesTheClusterThroughItsKubeconfig()
    {
        Skip.IfNot(Kubectl.IsAvailable, "kubectl not installed");
        await using var cluster = await SkiffTestCluster.StartAsync();

        await cluster.Kubectl.OkAsync("create", "configmap", "greeting", "--from-literal=hello=world");
        var value = await cluster.Kubectl.OkAsync("get", "configmap", "greeting", "-o", "jsonpath={.data.hello}");
        var asBob = new Kubectl(cluster.WriteKubeconfig("bob"));
        var denied = await Assert.ThrowsAsync<KubectlException>(() => asBob.OkAsync("get", "configmaps"));

        Assert.Equal("world", value);
        Assert.Contains("User \"bob\" cannot list resource \"configmaps\"", denied.StandardError, StringComparison.Ordinal);
    }
}
