using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench.Client;

/// <summary>
/// An in-process API server (Kestrel on 127.0.0.1, memory store, built-in resources) for the benchmarks, with the
/// set-up the API-path benchmarks share: an admin clientset, and users that are not in <c>system:masters</c> bound to a
/// cluster role in a namespace (<see cref="BoundUserAsync"/>).
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly IStorage _storage;
    private readonly string _dir;
    private readonly List<IDisposable> _owned = [];

    private BenchServer(ApiServerHost host, IStorage storage, string dir)
    {
        Host = host;
        _storage = storage;
        _dir = dir;
    }

    /// <summary>The group of the users <see cref="BoundUserAsync"/> makes.</summary>
    public const string Group = "bench-team";

    /// <summary>The running server (URL, certificates).</summary>
    public ApiServerHost Host { get; }

    /// <summary>The store the server runs on.</summary>
    public IStorage Storage => _storage;

    /// <summary>The server's data directory (removed on dispose).</summary>
    public string Directory => _dir;

    public string KubeconfigPath => Host.KubeconfigPath;

    /// <summary>The cluster CA (PEM), for the root-ca-cert-publisher.</summary>
    public string CaBundle => Host.Certificates.Ca.ExportCertificatePem();

    /// <summary>
    /// Starts a server with the default admission chain less ServiceAccount: no bench runs the serviceaccount
    /// controller, so a namespace has no <c>default</c> ServiceAccount and the plugin would refuse every pod, as
    /// upstream's does (upstream's integration benchmarks run their servers without it, too).
    /// </summary>
    public static Task<BenchServer> StartAsync(CancellationToken ct) => StartAsync(["ServiceAccount"], ct);

    /// <summary>Starts a server with the named admission plugins off (as upstream's integration benchmarks do).</summary>
    public static Task<BenchServer> StartAsync(IReadOnlyList<string> disableAdmissionPlugins, CancellationToken ct) =>
        StartAsync(o => o with { DisableAdmissionPlugins = disableAdmissionPlugins }, ct);

    /// <summary>Starts a server with the named admission plugins off and the static bearer <paramref name="tokens"/>.</summary>
    public static Task<BenchServer> StartAsync(IReadOnlyList<string> disableAdmissionPlugins, Skiff.ApiServer.Security.TokenFile tokens, CancellationToken ct) =>
        StartAsync(o => o with { DisableAdmissionPlugins = disableAdmissionPlugins, Tokens = tokens }, ct);

    /// <summary>
    /// Starts a server whose options are the bench defaults (memory store, or SQLite in the server's directory with
    /// <paramref name="sqlite"/>; built-in resources, port 0) changed by <paramref name="configure"/>.
    /// </summary>
    public static async Task<BenchServer> StartAsync(Func<ApiServerOptions, ApiServerOptions> configure, CancellationToken ct, bool sqlite = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        IStorage storage = sqlite ? await SqliteStorage.OpenAsync(Path.Combine(dir, "skiff.db"), null, ct).ConfigureAwait(false) : new MemoryStorage();
        var host = new ApiServerHost(configure(new ApiServerOptions
        {
            DataDirectory = dir,
            Port = 0,
            Storage = storage,
            Resources = BuiltInResources.Create(new BuiltInResourceOptions()),
        }));
        await host.StartAsync(ct).ConfigureAwait(false);
        return new BenchServer(host, storage, dir);
    }

    /// <summary>A clientset from the admin kubeconfig, without client-side throttling.</summary>
    public Clientset Clientset() => new(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(KubeconfigPath)) with { Qps = 0 });

    /// <summary>
    /// Creates namespace <paramref name="ns"/> (when missing) and a RoleBinding there of ClusterRole
    /// <paramref name="clusterRole"/> to user <paramref name="user"/> (and to the group <see cref="Group"/> with
    /// <paramref name="bindGroup"/>), and issues that user a client certificate (in <see cref="Group"/>, not
    /// <c>system:masters</c>). The clientset is disposed with the server.
    /// </summary>
    public async Task<BenchUser> BoundUserAsync(string ns, string user, string clusterRole, CancellationToken ct, bool bindGroup = false)
    {
        using (var admin = Clientset())
        {
            try
            {
                await admin.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = ns } }, ct: ct).ConfigureAwait(false);
            }
            catch (Skiff.Client.Rest.KubernetesApiException e) when (e.IsAlreadyExists)
            {
            }

            await admin.Resource<V1RoleBinding, V1RoleBindingList>(ns).CreateAsync(new V1RoleBinding
            {
                Metadata = new() { Name = $"{user}-{clusterRole}", NamespaceProperty = ns },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = clusterRole },
                Subjects =
                [
                    new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" },
                    .. (bindGroup ? new[] { new Rbacv1Subject { Kind = "Group", Name = Group, ApiGroup = "rbac.authorization.k8s.io" } } : []),
                ],
            }, ct: ct).ConfigureAwait(false);
        }

        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(_dir, "pki"), user, [Group]);
        var clientset = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
            KubeconfigWriter.Render(Host.Url, Host.Certificates.CaPem, cert, key, userName: user))) with { Qps = 0 });
        var certificate = X509Certificate2.CreateFromPem(cert, key);
        _owned.Add(clientset);
        _owned.Add(certificate);
        return new BenchUser(clientset, certificate);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }

        await Host.DisposeAsync().ConfigureAwait(false);
        await _storage.DisposeAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A user of a <see cref="BenchServer"/>: its clientset and its client certificate (for raw HTTPS loads).</summary>
internal sealed record BenchUser(Clientset Clientset, X509Certificate2 Certificate);
