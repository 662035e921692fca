using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.Kubelet.Hollow;
using Skiff.Testing.ControlPlane;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// An in-process API server (<see cref="TestControlPlane"/>) with a started <see cref="HollowNodeSet"/>; the real kubectl
/// can drive it through <see cref="KubeconfigPath"/>. Dispose stops the nodes, then the server.
/// </summary>
public sealed class HollowHarness : IAsyncDisposable
{
    private HollowHarness(TestControlPlane cp, Clientset clientset, HollowNodeSet nodes)
    {
        ControlPlane = cp;
        Clientset = clientset;
        Nodes = nodes;
    }

    public TestControlPlane ControlPlane { get; }

    /// <summary>An admin client for the test's own reads and writes.</summary>
    public Clientset Clientset { get; }

    public HollowNodeSet Nodes { get; }

    public string KubeconfigPath => ControlPlane.KubeconfigPath;

    /// <summary>Starts a server (options from <paramref name="server"/>) and <paramref name="options"/>' hollow nodes; returns once they are registered.</summary>
    public static async Task<HollowHarness> StartAsync(HollowNodeOptions options, Func<Skiff.ApiServer.Hosting.ApiServerOptions, Skiff.ApiServer.Hosting.ApiServerOptions>? server = null,
        CancellationToken ct = default)
    {
        var cp = await TestControlPlane.StartAsync(configure: server, ct: ct);
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 };
        var clientset = new Clientset(config);
        var nodes = new HollowNodeSet(new Clientset(config), options);
        try
        {
            await nodes.StartAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
        catch
        {
            await nodes.DisposeAsync();
            clientset.Dispose();
            await cp.DisposeAsync();
            throw;
        }

        return new HollowHarness(cp, clientset, nodes);
    }

    /// <summary>Creates a namespace with a unique name.</summary>
    public async Task<string> NamespaceAsync(string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } });
        return name;
    }

    /// <summary>Creates a one-container pod bound to <paramref name="node"/> (spec.nodeName at create: there is no scheduler).</summary>
    public Task<V1Pod> CreatePodAsync(string ns, string name, string node, IDictionary<string, string>? annotations = null,
        string restartPolicy = "Always", Action<V1Pod>? edit = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Annotations = annotations },
            Spec = new V1PodSpec
            {
                NodeName = node,
                RestartPolicy = restartPolicy,
                Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }],
            },
        };
        edit?.Invoke(pod);
        return Clientset.CoreV1().Pods(ns).CreateAsync(pod);
    }

    /// <summary>Waits (on a watch, with a deadline) until the pod satisfies <paramref name="predicate"/>; returns it.</summary>
    public async Task<V1Pod> UntilPodAsync(string ns, string name, Func<V1Pod, bool> predicate, TimeSpan? deadline = null)
    {
        var list = await ListWatch.UntilAsync(Clientset.CoreV1().Pods(ns), items => items.Any(p => p.Metadata.Name == name && predicate(p)), deadline,
            new ListOptions { FieldSelector = "metadata.name=" + name });
        return list.Single(p => p.Metadata.Name == name);
    }

    /// <summary>Waits (on a watch, with a deadline) until the pod is gone.</summary>
    public Task UntilPodGoneAsync(string ns, string name, TimeSpan? deadline = null) =>
        ListWatch.UntilAsync(Clientset.CoreV1().Pods(ns), items => items.All(p => p.Metadata.Name != name), deadline, new ListOptions { FieldSelector = "metadata.name=" + name });

    public async ValueTask DisposeAsync()
    {
        await Nodes.DisposeAsync();
        Clientset.Dispose();
        await ControlPlane.DisposeAsync();
    }
}
