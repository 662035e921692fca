using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Cli;
using Skiff.Client.Config;
using Skiff.Controllers.Hosting;
using Skiff.Dns;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Hollow;
using Skiff.Kubelet.Node;
using Skiff.Kubelet.Pods;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;

namespace Skiff.Components;

/// <summary>
/// Composes the binary's components on the .NET generic host. Components are hosted services added in their start
/// order — storage, API server, controller manager, scheduler (the kubelet joins here) — and
/// the host stops them in reverse on Ctrl-C or SIGTERM, each within <see cref="Component.GracePeriod"/>. The exit code
/// is 0 after a clean stop, 1 when a component failed to start or stopped the process.
/// </summary>
internal static partial class ComponentHost
{
    /// <summary>The controller manager's user, as upstream's certificate names it.</summary>
    public const string ControllerManagerUser = "system:kube-controller-manager";

    /// <summary>The scheduler's user, as upstream's certificate names it.</summary>
    public const string SchedulerUser = "system:kube-scheduler";

    /// <summary>
    /// The shared identity of the hollow nodes of a process (group <see cref="HollowNodesGroup"/>): their one pod and node
    /// informer read with it. In <c>skiff up</c> each node writes as itself, <c>system:node:&lt;name&gt;</c> in
    /// <see cref="NodesGroup"/> like a real kubelet (a bearer token per node, <see cref="HollowNodeIdentities"/>), so the
    /// Node authorizer and NodeRestriction confine it to its own node; a standalone <c>skiff kubelet --hollow</c> writes
    /// with its kubeconfig's identity. The bootstrap policy grants this group the <c>system:node</c> rules (ClusterRole
    /// <c>skiff:hollow-node</c>) across every node.
    /// </summary>
    public const string HollowNodeUser = "skiff:hollow-node";

    /// <summary>The group of <see cref="HollowNodeUser"/>.</summary>
    public const string HollowNodesGroup = "skiff:hollow-nodes";

    /// <summary>The cluster DNS's user inside <c>skiff up</c>.</summary>
    public const string DnsUser = "system:kube-dns";

    /// <summary>The group of kubelets.</summary>
    public const string NodesGroup = "system:nodes";

    /// <summary><c>skiff up</c> (<paramref name="withControllers"/>) or <c>skiff apiserver</c>.</summary>
    public static Task<int> RunServerAsync(ServerSettings settings, bool withControllers, CancellationToken ct)
    {
        var builder = CreateBuilder(settings.Verbosity, withControllers ? 7 : 2);
        var services = builder.Services;
        services.AddSingleton(settings);
        var hollowIdentities = new HollowNodeIdentities();
        services.AddSingleton(hollowIdentities);
        AddComponent<StorageComponent>(services);
        AddComponent<ApiServerComponent>(services);
        // With a real node, pods reach the DNS (bound to all addresses) on the CNI bridge's gateway, which is also the
        // source of its replies to them (set below once the runtime is known); else on the node's address.
        string? dnsPodAddress = null;
        if (withControllers && settings.Dns is { } dns)
        {
            AddComponent(services, sp => new DnsComponent(
                _ => Task.FromResult(sp.GetRequiredService<ApiServerComponent>().IssueClientConfig(DnsUser, [], "dns.kubeconfig") with { Qps = 20, Burst = 30 }),
                client => DnsOptions(client, dns) with { AdvertiseAddress = dnsPodAddress },
                dns.BindExplicit,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        if (withControllers)
        {
            AddComponent(services, sp => new ControllerManagerComponent(
                token =>
                {
                    var api = sp.GetRequiredService<ApiServerComponent>();
                    var client = api.IssueClientConfig(ControllerManagerUser, [], "controller-manager.kubeconfig") with { Qps = 20, Burst = 30 };
                    return Task.FromResult<(ClientConfig, string?)>((client, api.Host.Certificates.CaPem));
                },
                (client, rootCa) => new ControllerManagerOptions
                {
                    Client = client,
                    RootCaBundle = rootCa,
                    Controllers = settings.Controllers,
                    StorageDirectory = Path.Combine(settings.DataDirectory, "storage"),
                    ServiceAccountPrivateKey = File.ReadAllText(settings.ServiceAccountTokens.SigningKeyFile
                        ?? Path.Combine(settings.DataDirectory, "pki", Skiff.ApiServer.Authentication.ServiceAccounts.ServiceAccountKeys.DefaultKeyFile)),

                    // csrsigning signs with the cluster CA, as kubeadm passes ca.crt/ca.key to the controller manager.
                    ClusterSigningCertificate = File.ReadAllText(Path.Combine(settings.DataDirectory, "pki", "ca.crt")),
                    ClusterSigningKey = File.ReadAllText(Path.Combine(settings.DataDirectory, "pki", "ca.key")),
                },
                sp.GetRequiredService<IHostApplicationLifetime>(),
                sp.GetRequiredService<ExitCode>(),
                sp.GetRequiredService<ILoggerFactory>()));
            AddComponent(services, sp => new SchedulerComponent(
                token =>
                {
                    var api = sp.GetRequiredService<ApiServerComponent>();
                    return Task.FromResult(api.IssueClientConfig(SchedulerUser, [], "scheduler.kubeconfig") with { Qps = 50, Burst = 100 });
                },
                client => new SchedulerOptions { Client = client },
                sp.GetRequiredService<IHostApplicationLifetime>(),
                sp.GetRequiredService<ExitCode>(),
                sp.GetRequiredService<ILoggerFactory>()));
        }

        // Then the kubelet: the real one on containerd (--runtime auto|containerd), hollow nodes beside it or instead,
        // or none (a control plane only; --hollow-nodes N still adds hollow nodes).
        var hollowNodes = settings.HollowNodes;
        if (withControllers)
        {
            var runtime = settings.Runtime;
            if (runtime == "auto")
            {
                runtime = settings.ContainerRuntimeEndpoint is not null || ContainerdSupervisor.CanStart() ? "containerd" : "hollow";
                if (runtime == "hollow")
                {
                    Console.Error.WriteLine("skiff: containerd is not available (needs /usr/bin/containerd and root): running one hollow node instead of a real kubelet");
                }
            }

            if (runtime == "hollow")
            {
                hollowNodes = Math.Max(1, hollowNodes);
            }
            else if (runtime == "containerd")
            {
                var nodeName = HostFacts.DefaultNodeName();
                dnsPodAddress = DnsComponent.GatewayOf(new KubeletOptions { NodeName = nodeName, RootDirectory = "" }.PodCidr);
                AddComponent(services, sp => new KubeletComponent(
                    (node, _) => Task.FromResult(sp.GetRequiredService<ApiServerComponent>()
                        .IssueClientConfig("system:node:" + node, [NodesGroup], "kubelet-real.kubeconfig") with { Qps = 0, Burst = 100 }),
                    settings.ContainerRuntimeEndpoint,
                    settings.DataDirectory,
                    new KubeletOptions
                    {
                        NodeName = nodeName,
                        RootDirectory = Path.Combine(settings.DataDirectory, "kubelet"),
                        ClusterDns = settings.Dns?.ClusterDns,
                        ClusterDomain = settings.Dns?.ClusterDomain ?? "cluster.local",
                        ShutdownGracePeriod = KubeletComponent.ShutdownBudget,
                    },
                    sp.GetRequiredService<ILoggerFactory>(),
                    rotateServerCertificates: settings.RotateServerCertificates));
                AddEmbeddedProxy(services, nodeName);
                AddEmbeddedNetworkPolicy(services, nodeName);
            }
        }

        if (withControllers && hollowNodes > 0)
        {
            // Each node writes as system:node:NAME (a token of the server's token file) over the shared client's
            // connections; the shared identity only reads (the one pod and node informer).
            var hollowOptions = hollowIdentities.Issue(new HollowNodeOptions { Count = hollowNodes });
            AddComponent(services, sp => new HollowKubeletComponent(
                _ => Task.FromResult(sp.GetRequiredService<ApiServerComponent>()
                    .IssueClientConfig(HollowNodeUser, [HollowNodesGroup], "kubelet.kubeconfig") with { Qps = 0, Burst = 100 }),
                hollowOptions,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        return RunAsync(builder, sp =>
        {
            Console.WriteLine($"export KUBECONFIG={sp.GetRequiredService<ApiServerComponent>().Host.KubeconfigPath}");
            Console.WriteLine("Local Kubernetes cluster is running. Press Ctrl-C to shut it down.");
        }, ct);
    }

    /// <summary><c>skiff controller-manager</c>: the controller manager alone against the kubeconfig's API server.</summary>
    public static Task<int> RunControllerManagerAsync(ControllerManagerSettings settings, CancellationToken ct)
    {
        var builder = CreateBuilder(settings.Verbosity, 2);
        var services = builder.Services;

        // Metrics are served from before the election, so a standby reports leader_election_master_status 0.
        if (settings.MetricsPort > 0)
        {
            AddComponent(services, sp => new MetricsServerComponent(settings.MetricsPort,
                () => !sp.GetRequiredService<ControllerManagerComponent>().HasFailed,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        AddComponent(services, sp => new ControllerManagerComponent(
            _ => Task.FromResult(Connect(settings)),
            (client, rootCa) => new ControllerManagerOptions
            {
                Client = client,
                RootCaBundle = rootCa,
                Controllers = settings.Controllers,
                ServiceAccountPrivateKey = settings.ServiceAccountPrivateKeyFile is { } keyFile ? File.ReadAllText(keyFile) : null,
                ClusterSigningCertificate = settings.ClusterSigningCertFile is { } scf ? File.ReadAllText(scf) : null,
                ClusterSigningKey = settings.ClusterSigningKeyFile is { } skf ? File.ReadAllText(skf) : null,
                ClusterSigningDuration = settings.ClusterSigningDuration,
                LeaderElect = settings.LeaderElect,
                LeaseDuration = settings.LeaseDuration,
                RenewDeadline = settings.RenewDeadline,
                RetryPeriod = settings.RetryPeriod,
            },
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ExitCode>(),
            sp.GetRequiredService<ILoggerFactory>()));
        return RunAsync(builder, _ => { }, ct);

        (ClientConfig, string?) Connect(ControllerManagerSettings s)
        {
            ClientConfig client;
            try
            {
                client = s.Kubeconfig is { } path
                    ? ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(path))
                    : ClientConfigLoader.LoadDefault();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or FormatException or UnauthorizedAccessException)
            {
                throw new ComponentStartException($"cannot load the kubeconfig: {e.Message}", e);
            }

            var rootCa = s.RootCaFile is { } f ? File.ReadAllText(f)
                : client.CertificateAuthorities is { Count: > 0 } cas ? string.Concat(cas.Select(c => c.ExportCertificatePem() + "\n"))
                : null;
            return (client with { Qps = s.Qps, Burst = s.Burst, Verbosity = s.Verbosity }, rootCa);
        }
    }

    /// <summary><c>skiff kubelet</c>: the real kubelet (or with <c>--hollow</c>, hollow nodes) against the kubeconfig's API server.</summary>
    public static Task<int> RunKubeletAsync(KubeletSettings settings, CancellationToken ct)
    {
        var builder = CreateBuilder(settings.Verbosity, 1);
        if (!settings.Hollow)
        {
            var nodeName = settings.NodeName ?? HostFacts.DefaultNodeName();
            AddComponent(builder.Services, sp => new KubeletComponent(
                KubeletConnect(settings, nodeName, sp.GetRequiredService<ILoggerFactory>(), out var clientCertificates),
                settings.ContainerRuntimeEndpoint,
                settings.RootDirectory,
                new KubeletOptions
                {
                    NodeName = nodeName,
                    RootDirectory = settings.RootDirectory,
                    PodCidr = settings.PodCidr,
                    ClusterDns = settings.ClusterDns,
                    ClusterDomain = settings.ClusterDomain,
                    Port = settings.Port,
                    HealthzPort = settings.HealthzPort,
                    HealthzBindAddress = settings.HealthzBindAddress,
                    ShutdownGracePeriod = KubeletComponent.ShutdownBudget,
                },
                sp.GetRequiredService<ILoggerFactory>(),
                clientCertificates,
                settings.RotateServerCertificates));
            return RunAsync(builder, _ => Console.WriteLine($"The kubelet of node {nodeName} is running. Press Ctrl-C to stop it."), ct);
        }

        var hollowOptions = new HollowNodeOptions { Count = settings.Nodes, NamePrefix = settings.NodeNamePrefix, FirstIndex = settings.FirstIndex };
        if (settings.NodeTokenFile is { } tokenFile)
        {
            // Each node as system:node:NAME (the Node authorizer and NodeRestriction confine it), as skiff up's do.
            try
            {
                hollowOptions = HollowNodeTokens.WithTokens(hollowOptions, File.ReadLines(tokenFile));
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"error: --node-token-file \"{tokenFile}\": {e.Message}");
                return Task.FromResult(SkiffCommand.UsageError);
            }
        }

        AddComponent(builder.Services, sp => new HollowKubeletComponent(
            _ => Task.FromResult(LoadClient(settings.Kubeconfig) with { Qps = settings.Qps, Burst = settings.Burst, Verbosity = settings.Verbosity }),
            hollowOptions,
            sp.GetRequiredService<ILoggerFactory>()));
        return RunAsync(builder, _ => Console.WriteLine($"{settings.Nodes} hollow nodes are running. Press Ctrl-C to stop them."), ct);
    }

    /// <summary><c>skiff scheduler</c>: the scheduler alone against the kubeconfig's API server.</summary>
    public static Task<int> RunSchedulerAsync(SchedulerSettings settings, CancellationToken ct)
    {
        var builder = CreateBuilder(settings.Verbosity, 2);
        var services = builder.Services;
        SchedulerOptions options;
        try
        {
            options = settings.ConfigFile is { } file ? SchedulerConfigLoader.Load(File.ReadAllText(file)) : new SchedulerOptions { Client = SchedulerConfigLoader.Placeholder };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"error: cannot load --config: {e.Message}");
            return Task.FromResult(1);
        }

        if (settings.MetricsPort > 0)
        {
            AddComponent(services, sp => new MetricsServerComponent(settings.MetricsPort,
                () => !sp.GetRequiredService<SchedulerComponent>().HasFailed,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        AddComponent(services, sp => new SchedulerComponent(
            _ => Task.FromResult(LoadClient(settings.Kubeconfig) with { Qps = settings.Qps, Burst = settings.Burst, Verbosity = settings.Verbosity }),
            client => options with
            {
                Client = client,
                LeaderElect = settings.LeaderElect && options.LeaderElect,
                LeaseDuration = settings.LeaseDuration,
                RenewDeadline = settings.RenewDeadline,
                RetryPeriod = settings.RetryPeriod,
            },
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ExitCode>(),
            sp.GetRequiredService<ILoggerFactory>()));
        return RunAsync(builder, _ => { }, ct);
    }

    /// <summary><c>skiff dns</c>: the cluster DNS alone against the kubeconfig's API server.</summary>
    public static Task<int> RunDnsAsync(DnsSettings settings, CancellationToken ct)
    {
        var builder = CreateBuilder(settings.Verbosity, 2);
        if (settings.MetricsPort > 0)
        {
            AddComponent(builder.Services, sp => new MetricsServerComponent(settings.MetricsPort,
                () => sp.GetRequiredService<DnsComponent>().Dns is not null,
                sp.GetRequiredService<ILoggerFactory>()));
        }

        AddComponent(builder.Services, sp => new DnsComponent(
            _ => Task.FromResult(LoadClient(settings.Kubeconfig) with { Verbosity = settings.Verbosity }),
            client => DnsOptions(client, settings),
            settings.BindExplicit,
            sp.GetRequiredService<ILoggerFactory>()));
        return RunAsync(builder, sp =>
            Console.WriteLine($"The cluster DNS is serving {settings.ClusterDomain} on {sp.GetRequiredService<DnsComponent>().Dns?.Endpoint}. Press Ctrl-C to stop it."), ct);
    }

    private static ClusterDnsOptions DnsOptions(ClientConfig client, DnsSettings dns) => new()
    {
        Client = client,
        Bind = dns.Bind,
        AdvertiseAddress = dns.AdvertiseAddress,
        ClusterDomain = dns.ClusterDomain,
        ServiceIp = dns.ClusterDns,
    };

    /// <summary>
    /// How <c>skiff kubelet</c> connects: with <c>--kubeconfig</c>, or, given <c>--bootstrap-kubeconfig</c>, through TLS
    /// bootstrap (<see cref="Skiff.Kubelet.Certificates.KubeletClientCertificateManager"/>, which also rotates the
    /// certificate; the kubeconfig defaults to <c>ROOT_DIR/kubeconfig</c>).
    /// </summary>
    private static Func<string, CancellationToken, Task<ClientConfig>> KubeletConnect(KubeletSettings settings, string nodeName, ILoggerFactory loggers,
        out Skiff.Kubelet.Certificates.KubeletClientCertificateManager? certificates)
    {
        if (settings.BootstrapKubeconfig is not { } bootstrapPath)
        {
            certificates = null;
            return (_, _) => Task.FromResult(LoadClient(settings.Kubeconfig) with { Qps = settings.Qps, Burst = settings.Burst, Verbosity = settings.Verbosity });
        }

        var manager = new Skiff.Kubelet.Certificates.KubeletClientCertificateManager(nodeName, Path.Combine(settings.RootDirectory, "pki"), TimeProvider.System,
            loggers.CreateLogger("Skiff.Kubelet.Certificates"));
        certificates = manager;
        var kubeconfig = settings.Kubeconfig ?? Path.Combine(settings.RootDirectory, "kubeconfig");
        return async (_, ct) => await manager.BootstrapAsync(LoadClient(bootstrapPath), kubeconfig, ct).ConfigureAwait(false)
            with { Qps = settings.Qps, Burst = settings.Burst, Verbosity = settings.Verbosity };
    }

    private static ClientConfig LoadClient(string? kubeconfig)
    {
        try
        {
            return kubeconfig is { } path ? ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(path)) : ClientConfigLoader.LoadDefault();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or FormatException or UnauthorizedAccessException)
        {
            throw new ComponentStartException($"cannot load the kubeconfig: {e.Message}", e);
        }
    }

    private static HostApplicationBuilder CreateBuilder(int verbosity, int components)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Klog.Configure(builder.Logging, verbosity);
        builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ServicesStartConcurrently = false;
            o.ServicesStopConcurrently = false;
            o.ShutdownTimeout = Component.GracePeriod * (components + 1);
        });
        builder.Services.AddSingleton<ExitCode>();
        return builder;
    }

    private static void AddComponent<T>(IServiceCollection services)
        where T : Component
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }

    private static void AddComponent<T>(IServiceCollection services, Func<IServiceProvider, T> create)
        where T : Component
    {
        services.AddSingleton(create);
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }

    private static async Task<int> RunAsync(HostApplicationBuilder builder, Action<IServiceProvider> started, CancellationToken ct)
    {
        using var host = builder.Build();
        var exit = host.Services.GetRequiredService<ExitCode>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() => started(host.Services));
        lifetime.ApplicationStopping.Register(() => Console.WriteLine("Shutting down."));
        try
        {
            await host.RunAsync(ct).ConfigureAwait(false);
        }
        catch (ComponentStartException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        return exit.Code;
    }
}
