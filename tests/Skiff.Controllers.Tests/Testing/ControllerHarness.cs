using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.ApiServer.Security;
using Skiff.Testing.ControlPlane;

namespace Skiff.Controllers.Tests.Testing;

/// <summary>
/// An in-process API server (<see cref="TestControlPlane"/>) with a running controller manager of the given built-in
/// controllers, wired as the controller manager wires them: one <see cref="Manager"/>, its shared informers, a dynamic
/// client and discovery, all talking HTTPS to the server. The real kubectl can drive the same server through
/// <see cref="KubeconfigPath"/>. Dispose stops the controllers, then the server.
/// </summary>
public sealed class ControllerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private Kubectl? _kubectl;
    private RestClient? _controllerRest;
    private Clientset? _controllerClientset;

    /// <summary>The user the controllers run as (upstream's controller-manager identity).</summary>
    public const string ControllerManagerUser = "system:kube-controller-manager";

    private ControllerHarness(TestControlPlane cp, ClientConfig config)
    {
        ControlPlane = cp;
        Config = config;
        Rest = new RestClient(config);
        Clientset = new Clientset(Rest);
        Dynamic = new DynamicClient(Rest);
    }

    public TestControlPlane ControlPlane { get; }

    public ClientConfig Config { get; }

    public RestClient Rest { get; }

    /// <summary>An admin client for the test's own reads and writes.</summary>
    public Clientset Clientset { get; }

    public DynamicClient Dynamic { get; }

    public Manager Manager { get; private set; } = null!;

    public string KubeconfigPath => ControlPlane.KubeconfigPath;

    /// <summary>The real kubectl against this server, as the admin.</summary>
    public Kubectl Kubectl => _kubectl ??= new Kubectl(KubeconfigPath);

    /// <summary>Starts a server and a manager running <paramref name="controllers"/>; returns once the manager's caches have synced.</summary>
    public static async Task<ControllerHarness> StartAsync(IEnumerable<ControllerDescriptor> controllers, TimeProvider? time = null,
        CancellationToken ct = default)
    {
        var cp = await TestControlPlane.StartAsync(ct: ct);
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 };
        var h = new ControllerHarness(cp, config);

        // The controllers run as skiff up runs them: system:kube-controller-manager, authorized by the bootstrap
        // policy (never system:masters), so every suite also proves the controllers' least-privilege identity.
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(cp.DataDirectory, "pki"), ControllerManagerUser, []);
        var identity = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
            KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, cert, key, userName: ControllerManagerUser))) with { Qps = 0 };
        h._controllerRest = new RestClient(identity);
        h._controllerClientset = new Clientset(h._controllerRest);
        h.Manager = new Manager(h._controllerClientset, new ManagerOptions { TimeProvider = time ?? TimeProvider.System });
        var context = new ControllerContext
        {
            Manager = h.Manager,
            Dynamic = new DynamicClient(h._controllerRest),
            Discovery = new DiscoveryClient(h._controllerRest),
            RootCaBundle = cp.Host.Certificates.Ca.ExportCertificatePem(),
            ServiceAccountPrivateKey = File.ReadAllText(Path.Combine(cp.DataDirectory, "pki", "sa.key")),
            ClusterSigningCertificate = File.ReadAllText(Path.Combine(cp.DataDirectory, "pki", "ca.crt")),
            ClusterSigningKey = File.ReadAllText(Path.Combine(cp.DataDirectory, "pki", "ca.key")),
        };
        foreach (var c in controllers)
        {
            c.Register(context);
        }

        h._run = h.Manager.RunAsync(h._stop.Token);
        await Task.WhenAny(h.Manager.Elected, h._run).WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (h._run.IsFaulted)
        {
            await h._run;
        }

        return h;
    }

    /// <summary>A fresh namespace, so tests sharing a server do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync(string prefix = "t", CancellationToken ct = default)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } }, ct: ct);
        return name;
    }

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

        Clientset.Dispose();
        _controllerClientset?.Dispose();
        _controllerRest?.Dispose();
        Dynamic.Dispose();
        Rest.Dispose();
        await ControlPlane.DisposeAsync();
        _stop.Dispose();
    }
}
