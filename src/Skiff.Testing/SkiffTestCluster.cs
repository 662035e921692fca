using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers;
using Skiff.Controllers.Hosting;
using Skiff.Kubelet.Hollow;
using Skiff.Scheduler;
using Skiff.Scheduler.Hosting;
using Skiff.Storage;
using Skiff.Storage.Memory;

namespace Skiff.Testing;

/// <summary>
/// A Kubernetes control plane inside the test process: a real Skiff API server (HTTPS on 127.0.0.1 and a free port,
/// the memory store, validation, admission, Node/RBAC authorization, CRDs) and, as the options ask, the controller
/// manager (garbage collection, namespace deletion, workloads), the scheduler and hollow nodes. It hands back an admin
/// <see cref="Clientset"/>, <see cref="DynamicClient"/> and <see cref="HttpClient"/>, the admin kubeconfig for the real
/// kubectl, and clients for any other user or service account. Start with
/// <c>await using var cluster = await SkiffTestCluster.StartAsync(o =&gt; o.WithControllers(), ct);</c>; disposing
/// stops the components in reverse order, then the server, and deletes the temporary data directory.
/// Clusters are independent: any number may run at once in one process.
/// </summary>
public sealed partial class SkiffTestCluster : IAsyncDisposable
{
    /// <summary>The user the controller manager runs as (upstream's identity, authorized by the bootstrap policy).</summary>
    public const string ControllerManagerUser = "system:kube-controller-manager";

    /// <summary>The user the scheduler runs as.</summary>
    public const string SchedulerUser = "system:kube-scheduler";

    /// <summary>The user of the hollow nodes (one identity for the set, as in <c>skiff up</c>).</summary>
    public const string HollowNodeUser = "skiff:hollow-node";

    /// <summary>The group of <see cref="HollowNodeUser"/>.</summary>
    public const string HollowNodesGroup = "skiff:hollow-nodes";

    private readonly CancellationTokenSource _stop = new();
    private readonly IStorage? _ownedStorage;
    private readonly List<IDisposable> _disposables = [];
    private readonly List<Task> _running = [];
    private HttpClient? _http;
    private Kubectl? _kubectl;

    private SkiffTestCluster(ApiServerHost server, string dataDirectory, IStorage? ownedStorage, SkiffTestClusterOptions options)
    {
        Server = server;
        DataDirectory = dataDirectory;
        _ownedStorage = ownedStorage;
        Options = options;
        ClientConfig = new ClientConfig
        {
            Host = BaseAddress,
            CertificateAuthorities = ClientConfigLoader.LoadPemCertificates(server.Certificates.CaPem),
            ClientCertificate = server.Certificates.Admin,
            Qps = 0,
        };
        Rest = new RestClient(ClientConfig);
        Clientset = new Clientset(Rest);
        Dynamic = new DynamicClient(Rest);
    }

    /// <summary>The options the cluster started with.</summary>
    public SkiffTestClusterOptions Options { get; }

    /// <summary>The running API server.</summary>
    public ApiServerHost Server { get; }

    /// <summary>The temporary data directory (PKI, kubeconfigs); deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>The server URL, <c>https://127.0.0.1:PORT</c>.</summary>
    public Uri BaseAddress => new(Server.Url);

    /// <summary>The admin kubeconfig (user <c>kubernetes-admin</c>, group <c>system:masters</c>), usable by the real kubectl.</summary>
    public string KubeconfigPath => Server.KubeconfigPath;

    /// <summary>The store requests are served from (the watch cache over the backing store when it is on).</summary>
    public IStorage Storage => Server.Storage;

    /// <summary>The admin client configuration (client certificate, no rate limit).</summary>
    public ClientConfig ClientConfig { get; }

    /// <summary>The admin REST client under <see cref="Clientset"/> and <see cref="Dynamic"/>.</summary>
    public RestClient Rest { get; }

    /// <summary>The admin typed client.</summary>
    public Clientset Clientset { get; }

    /// <summary>The admin dynamic client (custom resources, any group/version/resource).</summary>
    public DynamicClient Dynamic { get; }

    /// <summary>An admin <see cref="HttpClient"/> (base address set, trusts the cluster CA) for raw requests.</summary>
    public HttpClient HttpClient => _http ??= CreateHttpClient(Server.Certificates.Admin);

    /// <summary>The real kubectl (<c>/usr/bin/kubectl</c>) as the admin against this cluster.</summary>
    public Kubectl Kubectl => _kubectl ??= new Kubectl(KubeconfigPath);

    /// <summary>The controller manager's <see cref="Manager"/> (null when it does not run).</summary>
    public Manager? ControllerManager { get; private set; }

    /// <summary>The controllers the controller manager runs, in catalogue order (empty when it does not run).</summary>
    public IReadOnlyList<string> RunningControllers { get; private set; } = [];

    /// <summary>The scheduler (null when it does not run).</summary>
    public KubeScheduler? Scheduler { get; private set; }

    /// <summary>The hollow nodes (null when there are none).</summary>
    public HollowNodeSet? HollowNodes { get; private set; }

    /// <summary>
    /// Starts an API server alone, with the default options (see <see cref="StartAsync(Action{SkiffTestClusterOptions}?, CancellationToken)"/>).
    /// </summary>
    public static Task<SkiffTestCluster> StartAsync(CancellationToken ct = default) => StartAsync(null, ct);

    /// <summary>
    /// Starts a cluster configured by <paramref name="configure"/> and returns once everything asked for runs: the API
    /// server serves, the CRDs are Established, the controllers' and the scheduler's caches have synced and the hollow
    /// nodes are registered.
    /// </summary>
    public static async Task<SkiffTestCluster> StartAsync(Action<SkiffTestClusterOptions>? configure, CancellationToken ct = default)
    {
        var options = new SkiffTestClusterOptions();
        configure?.Invoke(options);
        var dir = Path.Combine(Path.GetTempPath(), "skiff-test-" + Guid.NewGuid().ToString("N")[..12]);
        if (!options.IsolatedPki)
        {
            TestPki.CopyTo(Path.Combine(dir, "pki"));
        }

        var owned = options.Storage is null ? new MemoryStorage() : null;
        var snapshot = BootstrapSnapshot.Applies(options);
        if (snapshot)
        {
            await BootstrapSnapshot.RestoreAsync(owned!, ct).ConfigureAwait(false);
        }

        var apiOptions = DefaultApiServer.CreateOptions(dir, options.Storage ?? owned!, options.Resources) with
        {
            Port = 0,
            BookmarkInterval = TimeSpan.FromMilliseconds(500),
            WatchCache = options.WatchCache,
            EnforceAuthorization = options.EnforceAuthorization,
            EnableAdmissionPlugins = [.. options.EnabledAdmissionPlugins],
            DisableAdmissionPlugins = [.. options.DisabledAdmissionPlugins],
            Certificates = options.IsolatedPki ? null : TestPki.Certificates,
        };
        foreach (var adjust in options.ApiServerAdjustments)
        {
            apiOptions = adjust(apiOptions);
        }

        if (options.HollowNodes is { Count: > 0, NodeToken: null } hollow)
        {
            // As skiff up: each hollow node writes as system:node:NAME with a token of the server's token file (the
            // shared skiff:hollow-node identity may only read).
            var tokens = HollowNodeTokens.Generate(HollowNodeTokens.NodeNames(hollow));
            apiOptions = apiOptions with
            {
                Tokens = apiOptions.Tokens.With(tokens.Select(t => KeyValuePair.Create(t.Value,
                    new UserInfo(HollowNodeTokens.NodeUserPrefix + t.Key, null, [HollowNodeTokens.NodesGroup])))),
            };
            options.UseHollowNodeTokens(tokens);
        }

        var server = new ApiServerHost(apiOptions);
        SkiffTestCluster? cluster = null;
        try
        {
            await server.StartAsync(ct).ConfigureAwait(false);
            if (snapshot)
            {
                await BootstrapSnapshot.CaptureAsync(owned!, ct).ConfigureAwait(false);
            }

            cluster = new SkiffTestCluster(server, dir, owned, options);
            await cluster.StartComponentsAsync(ct).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await server.DisposeAsync().ConfigureAwait(false);
                if (owned is not null)
                {
                    await owned.DisposeAsync().ConfigureAwait(false);
                }

                DeleteDirectory(dir);
            }

            throw;
        }
    }

    private async Task StartComponentsAsync(CancellationToken ct)
    {
        var crds = Options.CustomResourceDefinitions.Concat(Options.CustomResourceDefinitionFiles.SelectMany(ReadCustomResourceDefinitions)).ToList();
        if (crds.Count > 0)
        {
            await InstallCustomResourceDefinitionsAsync(crds, ct: ct).ConfigureAwait(false);
        }

        if (Options.RunsControllers)
        {
            await StartControllersAsync(ct).ConfigureAwait(false);
        }

        if (Options.RunsScheduler)
        {
            var scheduler = new KubeScheduler(new SchedulerOptions
            {
                Client = CreateClientConfig(SchedulerUser, []) with { Qps = 0 },
                LeaderElect = false,
                TimeProvider = Options.TimeProvider,
                LoggerFactory = Options.LoggerFactory,
            });
            _disposables.Add(scheduler);
            Scheduler = scheduler;
            await RunUntilElectedAsync(scheduler.Manager, scheduler.RunAsync, ct).ConfigureAwait(false);
        }

        if (Options.HollowNodes is { Count: > 0 } hollow)
        {
            var client = new Clientset(CreateClientConfig(HollowNodeUser, [HollowNodesGroup]) with { Qps = 0, Burst = 100 });
            _disposables.Add(client);
            HollowNodes = new HollowNodeSet(client, hollow with
            {
                TimeProvider = Options.TimeProvider,
                LoggerFactory = hollow.LoggerFactory ?? Options.LoggerFactory,
            });
            await HollowNodes.StartAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task StartControllersAsync(CancellationToken ct)
    {
        // The controllers run as skiff up runs them: system:kube-controller-manager, authorized by the bootstrap policy
        // (never system:masters), with upstream's user agent (so managedFields name kube-controller-manager).
        var identity = CreateClientConfig(ControllerManagerUser, []) with { Qps = 0, UserAgent = Skiff.Controllers.Hosting.ControllerManager.UserAgent };
        var rest = new RestClient(identity);
        var clientset = new Clientset(rest);
        var dynamic = new DynamicClient(rest);
        _disposables.Add(rest);
        var manager = new Manager(clientset, new ManagerOptions { TimeProvider = Options.TimeProvider, LoggerFactory = Options.LoggerFactory });
        var pki = Path.Combine(DataDirectory, "pki");
        var context = new ControllerContext
        {
            Manager = manager,
            Dynamic = dynamic,
            Discovery = new DiscoveryClient(rest),
            RootCaBundle = Server.Certificates.CaPem,
            ServiceAccountPrivateKey = File.ReadAllText(Path.Combine(pki, Skiff.ApiServer.Authentication.ServiceAccounts.ServiceAccountKeys.DefaultKeyFile)),
            StorageDirectory = Path.Combine(DataDirectory, "storage"),
            LoggerFactory = Options.LoggerFactory ?? NullLoggerFactory.Instance,
        };
        var selected = Options.ControllerNames.Count > 0 ? BuiltInControllers.Select(Options.ControllerNames) : [];
        var all = selected.Concat(Options.Controllers).ToList();
        foreach (var c in all)
        {
            c.Register(context);
        }

        RunningControllers = [.. all.Select(c => c.Name)];
        ControllerManager = manager;
        await RunUntilElectedAsync(manager, manager.RunAsync, ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="run"/> until dispose and waits (30 s at most) for <paramref name="manager"/> to start its controllers.</summary>
    private async Task RunUntilElectedAsync(Manager manager, Func<CancellationToken, Task> run, CancellationToken ct)
    {
        var task = Task.Run(() => run(_stop.Token), CancellationToken.None);
        _running.Add(task);
        await Task.WhenAny(manager.Elected, task).WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (task.IsFaulted)
        {
            await task.ConfigureAwait(false);
        }
    }

    /// <summary>A fresh namespace named <paramref name="prefix"/> and a random suffix, so tests sharing a cluster do not see each other's objects.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix = "t", CancellationToken ct = default)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } }, ct: ct).ConfigureAwait(false);
        return name;
    }

    /// <summary>Stops the hollow nodes, the scheduler and the controllers, then the server; deletes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (HollowNodes is not null)
        {
            await HollowNodes.DisposeAsync().ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var t in _running)
        {
            try
            {
                await t.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        foreach (var d in Enumerable.Reverse(_disposables))
        {
            d.Dispose();
        }

        _http?.Dispose();
        Dynamic.Dispose();
        Clientset.Dispose();
        Rest.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
        if (_ownedStorage is not null)
        {
            await _ownedStorage.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        DeleteDirectory(DataDirectory);
    }

    private static void DeleteDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }
}
