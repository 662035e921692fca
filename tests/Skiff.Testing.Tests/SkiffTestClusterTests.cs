using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Testing.Tests;

/// <summary>The API server alone: start and stop, clients for other users, parallel clusters, CRDs.</summary>
public sealed class SkiffTestClusterTests
{
    [Fact]
    public async Task StartAsync_ServesTheSystemNamespaces_AndDisposeStopsAndCleansUp()
    {
        var cluster = await SkiffTestCluster.StartAsync();
        var dir = cluster.DataDirectory;
        var port = cluster.BaseAddress.Port;

        var namespaces = await cluster.Clientset.CoreV1().Namespaces().ListAsync();
        Assert.Superset(new HashSet<string> { "default", "kube-system", "kube-public", "kube-node-lease" },
            namespaces.Items.Select(n => n.Metadata.Name).ToHashSet());
        Assert.True(File.Exists(cluster.KubeconfigPath));
        var version = await cluster.HttpClient.GetStringAsync("/version");
        Assert.Contains("gitVersion", version, StringComparison.Ordinal);

        await cluster.DisposeAsync();

        Assert.False(Directory.Exists(dir));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ApiServer_ValidatesLikeUpstream_WithAnUpstreamShapedStatus()
    {
        await using var cluster = await SkiffTestCluster.StartAsync();
        var bad = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "Not_A_DNS_Name" } };

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => cluster.Clientset.CoreV1().ConfigMaps("default").CreateAsync(bad));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Code);
        Assert.Equal("Invalid", e.Reason);
    }

    [Fact]
    public async Task CreateClientset_ActsAsTheUser_AndRbacDecides()
    {
        await using var cluster = await SkiffTestCluster.StartAsync();
        using var alice = cluster.CreateClientset("alice", "devs");

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => alice.CoreV1().Pods("default").ListAsync());

        Assert.Equal(HttpStatusCode.Forbidden, e.Code);
        Assert.Contains("User \"alice\" cannot list resource \"pods\"", e.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateServiceAccountClientConfig_AuthenticatesAsTheServiceAccount()
    {
        await using var cluster = await SkiffTestCluster.StartAsync();
        await cluster.Clientset.CoreV1().ServiceAccounts("default").CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } });
        var config = await cluster.CreateServiceAccountClientConfigAsync("default", "robot");
        using var robot = new Skiff.Client.Typed.Clientset(config);

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => robot.CoreV1().Secrets("default").ListAsync());

        Assert.Equal(HttpStatusCode.Forbidden, e.Code);
        Assert.Contains("system:serviceaccount:default:robot", e.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InParallel_ClustersAreIndependent()
    {
        var clusters = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SkiffTestCluster.StartAsync()));
        try
        {
            Assert.Equal(4, clusters.Select(c => c.BaseAddress.Port).Distinct().Count());
            Assert.Equal(4, clusters.Select(c => c.DataDirectory).Distinct(StringComparer.Ordinal).Count());
            var mine = await clusters[0].CreateNamespaceAsync("only-here");

            foreach (var other in clusters.Skip(1))
            {
                var names = (await other.Clientset.CoreV1().Namespaces().ListAsync()).Items.Select(n => n.Metadata.Name);
                Assert.DoesNotContain(mine, names);
            }

            Assert.Contains(mine, (await clusters[0].Clientset.CoreV1().Namespaces().ListAsync()).Items.Select(n => n.Metadata.Name));
        }
        finally
        {
            await Task.WhenAll(clusters.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task LaterClusters_ServeTheSameBootstrapPolicy_AsTheFirst()
    {
        await using var first = await SkiffTestCluster.StartAsync();
        await using var second = await SkiffTestCluster.StartAsync();

        var roles = await Task.WhenAll(new[] { first, second }.Select(async c =>
            (await c.Clientset.Resource<V1ClusterRole, V1ClusterRoleList>().ListAsync()).Items.Select(r => r.Metadata.Name).Order(StringComparer.Ordinal).ToList()));
        var bindings = await second.Clientset.Resource<V1ClusterRoleBinding, V1ClusterRoleBindingList>().GetAsync("system:kube-controller-manager");

        Assert.Equal(roles[0], roles[1]);
        Assert.Contains("cluster-admin", roles[1]);
        Assert.Equal("system:kube-controller-manager", bindings.Subjects.Single().Name);
    }

    [Fact]
    public async Task LaterClusters_StartWithTheFlowControlBootstrapStored_AndWriteNoneOfIt()
    {
        // The first default cluster of the process takes the snapshot once every FlowSchema has its status.
        await using (await SkiffTestCluster.StartAsync())
        {
        }

        await using var later = await SkiffTestCluster.StartAsync();
        var stored = await later.Storage.ListAsync("/registry/flowcontrol.apiserver.k8s.io/", new Skiff.Storage.ListOptions(), default);
        Assert.Contains(stored.Items, kv => kv.Key.EndsWith("/flowschemas/global-default", StringComparison.Ordinal));
        Assert.Contains(stored.Items, kv => kv.Key.EndsWith("/prioritylevelconfigurations/workload-low", StringComparison.Ordinal));

        // Restored before the server started; neither the ensurer nor the status writer changed any of it.
        Assert.All(stored.Items, kv => Assert.Equal(kv.CreateRevision, kv.ModRevision));
        Assert.All(stored.Items.Where(kv => kv.Key.Contains("/flowschemas/", StringComparison.Ordinal)),
            kv => Assert.Contains("\"Dangling\"", System.Text.Encoding.UTF8.GetString(kv.Value.Span), StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithIsolatedPki_GeneratesItsOwnCa()
    {
        await using var shared = await SkiffTestCluster.StartAsync();
        await using var isolated = await SkiffTestCluster.StartAsync(o => o.WithIsolatedPki());
        await using var sharedToo = await SkiffTestCluster.StartAsync();

        Assert.Equal(shared.Server.Certificates.CaPem, sharedToo.Server.Certificates.CaPem);
        Assert.NotEqual(shared.Server.Certificates.CaPem, isolated.Server.Certificates.CaPem);
        Assert.NotEmpty((await isolated.Clientset.CoreV1().Namespaces().ListAsync()).Items);
    }

    [Fact]
    public async Task WithCustomResourceDefinitions_AreEstablishedWhenStartReturns()
    {
        await using var cluster = await SkiffTestCluster.StartAsync(o => o.WithCustomResourceDefinitions(TestCrds.Widgets()));

        var widgets = cluster.Dynamic.Resource(new("example.com", "v1", "widgets")).Namespace("default");
        var created = await widgets.CreateAsync(TestCrds.Widget("w1", size: 3));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => widgets.CreateAsync(TestCrds.Widget("w2", size: -1)));

        Assert.Equal("w1", created["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Code);
        Assert.Contains("spec.size", e.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithCustomResourceDefinitionFiles_InstallsTheFilesCrds()
    {
        var file = Path.Combine(Path.GetTempPath(), $"crd-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, TestCrds.WidgetsYaml);
        try
        {
            await using var cluster = await SkiffTestCluster.StartAsync(o => o.WithCustomResourceDefinitionFiles(file));

            var crd = await cluster.Clientset.Resource<V1CustomResourceDefinition, V1CustomResourceDefinitionList>().GetAsync("widgets.example.com");
            Assert.True(SkiffTestCluster.IsEstablished(crd));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
