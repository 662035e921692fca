using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Metrics;
using Skiff.ApiServer.Security;
using Skiff.Cli;
using Skiff.Client.Config;

namespace Skiff.Components;

/// <summary>
/// The API server over the storage component's store, built by <see cref="DefaultApiServer"/>; its <c>/metrics</c>
/// also carries every in-process component's client metrics (work queues, REST client, leader election).
/// </summary>
internal sealed class ApiServerComponent(ServerSettings settings, StorageComponent storage, HollowNodeIdentities hollowNodes, ILoggerFactory loggers)
    : Component("apiserver", loggers.CreateLogger("Skiff.ApiServer"))
{
    private ApiServerHost? _host;
    private IDisposable? _clientMetrics;
    private Task _warm = Task.CompletedTask;
    private readonly CancellationTokenSource _stopWarming = new();

    /// <summary>The running server (after start).</summary>
    public ApiServerHost Host => _host ?? throw new InvalidOperationException("the API server has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        var metrics = new ApiServerMetrics();
        _clientMetrics = ClientMetrics.Bridge(metrics.Registry);
        var options = DefaultApiServer.CreateOptions(settings.DataDirectory, storage.Storage) with
        {
            Port = settings.Port,
            BindAddress = settings.BindAddress,
            AdvertiseAddress = settings.AdvertiseAddress ?? DefaultAdvertiseAddress(settings.BindAddress),
            WatchCache = settings.WatchCache,
            Tokens = (settings.TokenFile is null ? TokenFile.Empty : TokenFile.Load(settings.TokenFile)).With(hollowNodes.Users),
            ClientCas = settings.ClientCaFile is null ? [] : LoadClientCas(settings.ClientCaFile, "--client-ca-file"),
            Metrics = metrics,
            ServiceAccountTokens = settings.ServiceAccountTokens,
            EnableAdmissionPlugins = settings.EnableAdmissionPlugins,
            DisableAdmissionPlugins = settings.DisableAdmissionPlugins,
            RequestHeader = settings.RequestHeader.Settings with
            {
                ClientCas = settings.RequestHeader.ClientCaFile is { } requestHeaderCa ? LoadClientCas(requestHeaderCa, "--requestheader-client-ca-file") : null,
            },
            EnableAggregatorRouting = settings.RequestHeader.AggregatorRouting,
            FlowControl = settings.FlowControl,
            Audit = settings.Audit,
        };
        if (settings.Audit.Enabled)
        {
            try
            {
                Skiff.ApiServer.Audit.AuditPolicy.Load(settings.Audit.PolicyFile!);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                throw new ComponentStartException($"--audit-policy-file: {e.Message}", e);
            }
        }

        foreach (var keyFile in settings.ServiceAccountTokens.KeyFiles.Append(settings.ServiceAccountTokens.SigningKeyFile))
        {
            if (keyFile is not null && !File.Exists(keyFile))
            {
                throw new ComponentStartException($"service-account key file {keyFile} does not exist");
            }
        }

        _host = new ApiServerHost(options);
        try
        {
            await _host.StartAsync(ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new ComponentStartException($"service-account keys: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new ComponentStartException($"cannot listen on port {settings.Port}: {e.Message}", e);
        }

        _warm = DefaultApiServer.WarmAsync(options, _stopWarming.Token);
    }

    /// <summary>
    /// Upstream's advertise-address default: the bind address, or for every interface the host's default-route IPv4
    /// address (the node's InternalIP), so that pods reach the API server through the <c>kubernetes</c> Service.
    /// </summary>
    private static System.Net.IPAddress DefaultAdvertiseAddress(System.Net.IPAddress bind) =>
        bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any)
            ? System.Net.IPAddress.Parse(Skiff.Kubelet.Node.HostFacts.InternalIp())
            : bind;

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadClientCas(string path, string flag)
    {
        try
        {
            return ClusterCertificates.LoadClientCaBundle(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ComponentStartException($"{flag}: {e.Message}", e);
        }
    }

    /// <summary>
    /// A client configuration for an in-process component with its own identity: a client certificate for
    /// <paramref name="user"/> in <paramref name="groups"/> issued from the cluster CA, written with the server URL as
    /// <c>DATA_DIR/<paramref name="fileName"/></c> (mode 0600) so the same identity can be used from outside.
    /// </summary>
    public ClientConfig IssueClientConfig(string user, IReadOnlyList<string> groups, string fileName)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(settings.DataDirectory, "pki"), user, groups);
        var path = Path.Combine(settings.DataDirectory, fileName);
        File.WriteAllText(path, KubeconfigWriter.Render(Host.Url, Host.Certificates.CaPem, cert, key, userName: user));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // The same configuration the file describes, without parsing it back.
        using var ephemeral = X509Certificate2.CreateFromPem(cert, key);
        return new ClientConfig
        {
            Host = new Uri(Host.Url),
            CertificateAuthorities = ClientConfigLoader.LoadPemCertificates(Host.Certificates.CaPem),
            ClientCertificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null),
            Verbosity = settings.Verbosity,
        };
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        await _stopWarming.CancelAsync().ConfigureAwait(false);
        await _warm.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        _clientMetrics?.Dispose();
        _stopWarming.Dispose();
    }
}
