using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.Kubelet.Pods;
using Xunit;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// A containerd (<see cref="ContainerdFixture"/>), an in-process API server and a <see cref="RealKubelet"/> registered as
/// node <see cref="NodeName"/> on them, shared by a test class. Backoffs are shortened (1 s doubling) so restart tests
/// stay quick. <see cref="SkipReason"/> is non-null when containerd cannot run here.
/// </summary>
public sealed class RealKubeletFixture : IAsyncLifetime
{
    private readonly ContainerdFixture _containerd = new();

    public string? SkipReason => _containerd.SkipReason;

    public ContainerdFixture Containerd => _containerd;

    public TestControlPlane ControlPlane { get; private set; } = null!;

    public Clientset Clientset { get; private set; } = null!;

    public RealKubelet Kubelet { get; private set; } = null!;

    public Kubectl Kubectl { get; private set; } = null!;

    public string NodeName { get; } = "node-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>The kubelet's traces of pods' first starts (<see cref="KubeletOptions.PodStarted"/>).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<PodStartTrace> StartTraces { get; } = new();

    public async Task InitializeAsync()
    {
        await _containerd.InitializeAsync();
        if (SkipReason is not null)
        {
            return;
        }

        ControlPlane = await TestControlPlane.StartAsync();
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(ControlPlane.KubeconfigPath)) with { Qps = 0 };
        Clientset = new Clientset(config);
        Kubectl = new Kubectl(ControlPlane.KubeconfigPath);
        var options = new KubeletOptions
        {
            NodeName = NodeName,
            RootDirectory = Path.Combine(_containerd.Directory, "kubelet"),
            PodCidr = _containerd.PodCidr,
            Bridge = _containerd.Bridge,
            InitialBackoff = TimeSpan.FromSeconds(1),
            MaxBackoff = TimeSpan.FromSeconds(4),
            NodeStatusUpdateFrequency = TimeSpan.FromSeconds(2),
            PodStarted = StartTraces.Enqueue,
        };
        Kubelet = await RealKubelet.StartAsync(new Clientset(config), _containerd.Containerd.Endpoint, _containerd.Containerd.Config.CniConfDirectory, options, null, null, default)
            .WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync();
        }

        Clientset?.Dispose();
        if (ControlPlane is not null)
        {
            await ControlPlane.DisposeAsync();
        }

        await _containerd.DisposeAsync();
    }

    /// <summary>Creates a namespace with a unique name.</summary>
    public async Task<string> NamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..8];
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } });
        return name;
    }

    /// <summary>Waits (on a watch, with a deadline) until the pod satisfies <paramref name="predicate"/>; returns it.</summary>
    public async Task<V1Pod> UntilPodAsync(string ns, string name, Func<V1Pod, bool> predicate, TimeSpan? deadline = null)
    {
        var list = await ListWatch.UntilAsync(Clientset.CoreV1().Pods(ns), items => items.Any(p => p.Metadata.Name == name && predicate(p)), deadline ?? TimeSpan.FromSeconds(60),
            new ListOptions { FieldSelector = "metadata.name=" + name });
        return list.Single(p => p.Metadata.Name == name);
    }

    /// <summary>Waits until the pod is gone.</summary>
    public Task UntilPodGoneAsync(string ns, string name, TimeSpan? deadline = null) =>
        ListWatch.UntilAsync(Clientset.CoreV1().Pods(ns), items => items.All(p => p.Metadata.Name != name), deadline ?? TimeSpan.FromSeconds(60), new ListOptions { FieldSelector = "metadata.name=" + name });

    /// <summary>Applies <paramref name="yaml"/> with the real kubectl.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var (exit, _, err) = await Kubectl.RunAsync(["apply", "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    /// <summary>Re-evaluates <paramref name="check"/> every 200 ms until it holds; fails after <paramref name="deadline"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> check, TimeSpan deadline, string what)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var until = DateTime.UtcNow + deadline;
        while (!await check())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>Runs <paramref name="command"/> in the pod's container through CRI; its stdout.</summary>
    public async Task<string> ExecAsync(string ns, string pod, string container, params string[] command)
    {
        var info = Kubelet.Lookup.Find(ns, pod) ?? throw new InvalidOperationException($"pod {ns}/{pod} not on the node");
        var id = info.Containers[container] ?? throw new InvalidOperationException("no container " + container);
        var r = await Kubelet.Exec.ExecSyncAsync(id, command, TimeSpan.FromSeconds(10), default);
        return System.Text.Encoding.UTF8.GetString(r.Stdout);
    }
}
