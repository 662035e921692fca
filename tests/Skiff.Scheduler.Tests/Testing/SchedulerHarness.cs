using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.ApiServer.Security;
using Skiff.Scheduler.Hosting;
using Skiff.Testing.ControlPlane;

namespace Skiff.Scheduler.Tests.Testing;

/// <summary>
/// An in-process API server (<see cref="TestControlPlane"/>) with a running <see cref="KubeScheduler"/> (no leader
/// election), both over HTTPS. Tests create Node objects themselves and observe bindings through watches. Dispose stops
/// the scheduler, then the server.
/// </summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    /// <summary>The user the scheduler runs as (upstream's scheduler identity).</summary>
    public const string SchedulerUser = "system:kube-scheduler";

    private SchedulerHarness(TestControlPlane cp, ClientConfig config)
    {
        ControlPlane = cp;
        Config = config;
        Clientset = new Clientset(config);
    }

    public TestControlPlane ControlPlane { get; }

    public ClientConfig Config { get; }

    /// <summary>An admin client for the test's own reads and writes.</summary>
    public Clientset Clientset { get; }

    public KubeScheduler Scheduler { get; private set; } = null!;

    public string KubeconfigPath => ControlPlane.KubeconfigPath;

    /// <summary>Starts a server and a scheduler (options from <paramref name="configure"/>); returns once its caches synced.</summary>
    public static async Task<SchedulerHarness> StartAsync(Func<SchedulerOptions, SchedulerOptions>? configure = null, CancellationToken ct = default)
    {
        var cp = await TestControlPlane.StartAsync(ct: ct);
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 };
        var h = new SchedulerHarness(cp, config);

        // The scheduler runs as skiff up runs it: system:kube-scheduler, authorized by the bootstrap policy (never
        // system:masters), so the suite also proves the scheduler's least-privilege identity.
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(cp.DataDirectory, "pki"), SchedulerUser, []);
        var identity = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
            KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, cert, key, userName: SchedulerUser))) with { Qps = 0 };
        var options = new SchedulerOptions { Client = identity, LeaderElect = false };
        h.Scheduler = new KubeScheduler(configure?.Invoke(options) ?? options);
        h._run = h.Scheduler.RunAsync(h._stop.Token);
        await Task.WhenAny(h.Scheduler.Manager.Elected, h._run).WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (h._run.IsFaulted)
        {
            await h._run;
        }

        return h;
    }

    /// <summary>A fresh namespace, so tests sharing a server do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync(CancellationToken ct = default)
    {
        var name = $"t-{Guid.NewGuid().ToString("N")[..8]}";
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } }, ct: ct);
        return name;
    }

    /// <summary>Creates a ready node with <paramref name="cpu"/>, <paramref name="memory"/> and 110 pods allocatable.</summary>
    public Task<V1Node> NodeAsync(string name, string cpu = "4", string memory = "8Gi", IDictionary<string, string>? labels = null,
        IList<V1Taint>? taints = null, CancellationToken ct = default)
    {
        var alloc = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpu),
            ["memory"] = new(memory),
            ["pods"] = new("110"),
        };
        var allLabels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        foreach (var (k, v) in labels ?? new Dictionary<string, string>())
        {
            allLabels[k] = v;
        }

        return Clientset.CoreV1().Nodes().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = allLabels },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus { Allocatable = alloc, Capacity = alloc, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        }, ct: ct);
    }

    /// <summary>A pod with one container requesting <paramref name="cpu"/> (none when null).</summary>
    public static V1Pod Pod(string name, string? cpu = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "c",
                    Image = "registry.k8s.io/pause:3.10",
                    Resources = cpu is null ? null : new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
                },
            ],
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        Scheduler.Dispose();
        Clientset.Dispose();
        await ControlPlane.DisposeAsync();
        _stop.Dispose();
    }
}
