using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// The kubelet's client certificate through CSRs (upstream <c>pkg/kubelet/certificate/bootstrap</c> and client-go's
/// <c>util/certificate</c> manager). <see cref="BootstrapAsync"/>: when the kubeconfig is missing or its certificate has
/// expired, a new P-256 key is made, a CSR <c>node-csr-…</c> for CN <c>system:node:NAME</c>, O <c>system:nodes</c>,
/// signer <c>kube-apiserver-client-kubelet</c> is submitted with the bootstrap credentials, the issued certificate is
/// awaited and written with the key to <c>kubelet-client-current.pem</c>, and a kubeconfig pointing at it is written.
/// <see cref="RunRotationAsync"/>: at a random point between 70 and 90 % of the certificate's lifetime a new CSR is
/// submitted with the node's own identity (approved as a self renewal) and the new certificate replaces the old one;
/// <see cref="Current"/> is what clients present at their next handshake.
/// </summary>
public sealed partial class KubeletClientCertificateManager
{
    /// <summary>The file holding the current certificate and key.</summary>
    public const string CurrentFileName = "kubelet-client-current.pem";

    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly string _nodeName;
    private readonly string _certDirectory;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private X509Certificate2? _current;

    /// <summary>Creates a manager for <paramref name="nodeName"/> keeping its files in <paramref name="certDirectory"/>.</summary>
    public KubeletClientCertificateManager(string nodeName, string certDirectory, TimeProvider clock, ILogger logger)
    {
        _nodeName = nodeName;
        _certDirectory = certDirectory;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised after a rotation with the new certificate (already <see cref="Current"/>).</summary>
    public event Action<X509Certificate2>? Rotated;

    /// <summary>The current certificate with its key (after bootstrap).</summary>
    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>The path of <see cref="CurrentFileName"/>.</summary>
    public string CurrentPath => Path.Combine(_certDirectory, CurrentFileName);

    /// <summary>
    /// Makes sure <paramref name="kubeconfigPath"/> holds a valid node identity, requesting one with
    /// <paramref name="bootstrap"/> when it does not. Returns the client config for the node (its certificate served
    /// by <see cref="Current"/>, so rotation applies to it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The request was denied or failed.</exception>
    public async Task<ClientConfig> BootstrapAsync(ClientConfig bootstrap, string kubeconfigPath, CancellationToken ct)
    {
        Directory.CreateDirectory(_certDirectory);
        if (File.Exists(kubeconfigPath) && File.Exists(CurrentPath) && LoadCurrent() is { } existing && existing.NotAfter.ToUniversalTime() > _clock.GetUtcNow().UtcDateTime)
        {
            Volatile.Write(ref _current, existing);
            LogReused(_logger, kubeconfigPath, existing.NotAfter);
        }
        else
        {
            using var rest = new RestClient(bootstrap);
            var cert = await RequestAsync(new Clientset(rest), ct).ConfigureAwait(false);
            Volatile.Write(ref _current, cert);
            var dir = Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(kubeconfigPath, KubeletKubeconfig.Render(bootstrap.Host, bootstrap.CertificateAuthorities, CurrentPath), ct).ConfigureAwait(false);
            LogBootstrapped(_logger, kubeconfigPath, cert.NotAfter);
        }

        return ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfigPath)) with { ClientCertificateProvider = () => Current };
    }

    /// <summary>
    /// Renews the certificate before it expires, for as long as <paramref name="ct"/> runs, with <paramref name="node"/>
    /// (the node's own client). A failed renewal is retried after a back-off.
    /// </summary>
    public async Task RunRotationAsync(Clientset node, CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(2);
        while (!ct.IsCancellationRequested)
        {
            var cert = Current ?? throw new InvalidOperationException("bootstrap first");
            var deadline = RotationDeadline(cert);
            for (var wait = deadline - _clock.GetUtcNow(); wait > TimeSpan.Zero; wait = deadline - _clock.GetUtcNow())
            {
                // Timers are capped (about 49 days): wait in steps of at most a day.
                await Task.Delay(wait < MaxWait ? wait : MaxWait, _clock, ct).ConfigureAwait(false);
            }

            try
            {
                var renewed = await RequestAsync(node, ct).ConfigureAwait(false);
                Volatile.Write(ref _current, renewed);
                LogRotated(_logger, renewed.NotAfter);
                Rotated?.Invoke(renewed);
                backoff = TimeSpan.FromSeconds(2);
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException or InvalidOperationException or IOException)
            {
                LogRotationFailed(_logger, e.Message);
                await Task.Delay(backoff, _clock, ct).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(5).Ticks));
            }
        }
    }

    /// <summary>Upstream's <c>nextRotationDeadline</c>: NotBefore plus a random 70–90 % of the lifetime.</summary>
    public static DateTimeOffset RotationDeadline(X509Certificate2 cert)
    {
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var lifetime = cert.NotAfter.ToUniversalTime() - cert.NotBefore.ToUniversalTime();
        var fraction = 0.7 + (0.2 * Random.Shared.NextDouble());
        return notBefore + TimeSpan.FromTicks((long)(lifetime.Ticks * fraction));
    }

    private async Task<X509Certificate2> RequestAsync(Clientset client, CancellationToken ct)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(CertificateRequestRules.NodesGroup);
        subject.AddCommonName(CertificateRequestRules.NodeUserPrefix + _nodeName);
        var pem = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var name = "node-csr-" + Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        var csrs = client.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        await csrs.CreateAsync(new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(pem),
                SignerName = CertificateSigners.KubeApiServerClientKubelet,
                Usages = ["digital signature", "client auth"],
            },
        }, ct: ct).ConfigureAwait(false);
        LogRequested(_logger, name);

        var issued = await WaitForCertificateAsync(csrs, name, ct).ConfigureAwait(false);
        var certPem = Encoding.ASCII.GetString(issued);
        using var cert = X509Certificate2.CreateFromPem(certPem);
        using var withKey = cert.CopyWithPrivateKey(key);
        var combined = certPem.TrimEnd() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        var tmp = CurrentPath + ".tmp";
        await File.WriteAllTextAsync(tmp, combined, ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, CurrentPath, overwrite: true);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<byte[]> WaitForCertificateAsync(ResourceClient<V1CertificateSigningRequest, V1CertificateSigningRequestList> csrs, string name, CancellationToken ct)
    {
        while (true)
        {
            var list = await csrs.ListAsync(new Skiff.Client.Options.ListOptions { FieldSelector = "metadata.name=" + name }, ct).ConfigureAwait(false);
            if (Check(list.Items.FirstOrDefault()) is { } done)
            {
                return done;
            }

            await foreach (var e in csrs.WatchAsync(new Skiff.Client.Options.ListOptions { FieldSelector = "metadata.name=" + name, ResourceVersion = list.Metadata.ResourceVersion }, ct).ConfigureAwait(false))
            {
                if (Check(e.Object) is { } issued)
                {
                    return issued;
                }
            }
        }

        static byte[]? Check(V1CertificateSigningRequest? csr)
        {
            if (csr?.Status?.Conditions?.FirstOrDefault(c => c.Type is "Denied" or "Failed" && c.Status == "True") is { } refusal)
            {
                throw new InvalidOperationException($"certificate signing request {csr.Metadata.Name} is {refusal.Type.ToLowerInvariant()}: {refusal.Reason} {refusal.Message}".TrimEnd());
            }

            return csr?.Status?.Certificate is { Length: > 0 } c ? c : null;
        }
    }

    private X509Certificate2? LoadCurrent()
    {
        try
        {
            var pem = File.ReadAllText(CurrentPath);
            using var loaded = X509Certificate2.CreateFromPem(pem, pem);
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "requested a kubelet client certificate: csr {Name}")]
    private static partial void LogRequested(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "bootstrapped the kubelet client certificate (expires {NotAfter}); wrote {Kubeconfig}")]
    private static partial void LogBootstrapped(ILogger logger, string kubeconfig, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "kubeconfig {Kubeconfig} holds a valid client certificate (expires {NotAfter}): no bootstrap")]
    private static partial void LogReused(ILogger logger, string kubeconfig, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "rotated the kubelet client certificate (expires {NotAfter})")]
    private static partial void LogRotated(ILogger logger, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "kubelet client certificate rotation failed: {Error}")]
    private static partial void LogRotationFailed(ILogger logger, string error);
}
