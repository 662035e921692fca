using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Storage.Memory;

namespace Skiff.Bench.Client;

/// <summary>An in-process API server (Kestrel on 127.0.0.1, memory store, built-in resources) for the client benchmarks.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly ApiServerHost _host;
    private readonly MemoryStorage _storage;
    private readonly string _dir;

    private BenchServer(ApiServerHost host, MemoryStorage storage, string dir)
    {
        _host = host;
        _storage = storage;
        _dir = dir;
    }

    public string KubeconfigPath => _host.KubeconfigPath;

    /// <summary>The cluster CA (PEM), for the root-ca-cert-publisher.</summary>
    public string CaBundle => _host.Certificates.Ca.ExportCertificatePem();

    public static Task<BenchServer> StartAsync(CancellationToken ct) => StartAsync([], ct);

    /// <summary>Starts a server with the named admission plugins off (as upstream's integration benchmarks do).</summary>
    public static Task<BenchServer> StartAsync(IReadOnlyList<string> disableAdmissionPlugins, CancellationToken ct) =>
        StartAsync(disableAdmissionPlugins, Skiff.ApiServer.Security.TokenFile.Empty, ct);

    /// <summary>Starts a server with the named admission plugins off and the static bearer <paramref name="tokens"/>.</summary>
    public static async Task<BenchServer> StartAsync(IReadOnlyList<string> disableAdmissionPlugins, Skiff.ApiServer.Security.TokenFile tokens, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-client-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var storage = new MemoryStorage();
        var host = new ApiServerHost(new ApiServerOptions
        {
            DataDirectory = dir,
            Port = 0,
            Storage = storage,
            Resources = BuiltInResources.Create(new BuiltInResourceOptions()),
            DisableAdmissionPlugins = disableAdmissionPlugins,
            Tokens = tokens,
        });
        await host.StartAsync(ct).ConfigureAwait(false);
        return new BenchServer(host, storage, dir);
    }

    /// <summary>A clientset from the admin kubeconfig, without client-side throttling.</summary>
    public Clientset Clientset() => new(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(KubeconfigPath)) with { Qps = 0 });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        await _storage.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
