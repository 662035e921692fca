using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// What the kubelet's client and serving certificate managers share (client-go's <c>util/certificate</c> manager): a
/// new P-256 key and a CSR for the node's subject per request (<see cref="Template"/>), the wait for the issued
/// certificate (denied or failed ends it), the certificate and key written together to <see cref="CurrentPath"/>
/// through a rename, and <see cref="RunRotationAsync"/>: at a random point between 70 and 90 % of the current
/// certificate's lifetime (at once when there is none, or it no longer fits <see cref="Template"/>) a new one is
/// requested and becomes <see cref="Current"/>, which TLS presents from its next handshake.
/// </summary>
public abstract partial class KubeletCertificateManager
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly string _certDirectory;
    private readonly string _fileName;
    private X509Certificate2? _current;

    /// <summary>Creates a manager for <paramref name="nodeName"/> keeping <paramref name="fileName"/> in <paramref name="certDirectory"/>.</summary>
    protected KubeletCertificateManager(string nodeName, string certDirectory, string fileName, TimeProvider clock, ILogger logger)
    {
        NodeName = nodeName;
        _certDirectory = certDirectory;
        _fileName = fileName;
        Clock = clock;
        Logger = logger;
    }

    /// <summary>Raised by <see cref="RunRotationAsync"/> with every new certificate (already <see cref="Current"/>).</summary>
    public event Action<X509Certificate2>? Rotated;

    /// <summary>The current certificate with its key; null until one is issued.</summary>
    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>The file holding the current certificate and key.</summary>
    public string CurrentPath => Path.Combine(_certDirectory, _fileName);

    /// <summary>The node.</summary>
    protected string NodeName { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider Clock { get; }

    /// <summary>The logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Upstream's <c>nextRotationDeadline</c>: NotBefore plus a random 70–90 % of the lifetime.</summary>
    public static DateTimeOffset RotationDeadline(X509Certificate2 cert)
    {
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var lifetime = cert.NotAfter.ToUniversalTime() - cert.NotBefore.ToUniversalTime();
        var fraction = 0.7 + (0.2 * Random.Shared.NextDouble());
        return notBefore + TimeSpan.FromTicks((long)(lifetime.Ticks * fraction));
    }

    /// <summary>
    /// Keeps a certificate current for as long as <paramref name="ct"/> runs, requesting with <paramref name="client"/>
    /// (the node's own identity). A failed request is retried after a back-off (2 s doubling to 5 min).
    /// </summary>
    public async Task RunRotationAsync(Clientset client, CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(2);
        while (!ct.IsCancellationRequested)
        {
            var current = Current;
            var deadline = current is not null && Fits(current) ? RotationDeadline(current) : Clock.GetUtcNow();
            for (var wait = deadline - Clock.GetUtcNow(); wait > TimeSpan.Zero; wait = deadline - Clock.GetUtcNow())
            {
                // Timers are capped (about 49 days): wait in steps of at most a day.
                await Task.Delay(wait < MaxWait ? wait : MaxWait, Clock, ct).ConfigureAwait(false);
            }

            try
            {
                var renewed = await RequestAsync(client, ct).ConfigureAwait(false);
                SetCurrent(renewed);
                LogRotated(Logger, CurrentPath, renewed.NotAfter);
                Rotated?.Invoke(renewed);
                backoff = TimeSpan.FromSeconds(2);
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException or InvalidOperationException or IOException)
            {
                LogRotationFailed(Logger, CurrentPath, e.Message);
                await Task.Delay(backoff, Clock, ct).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(5).Ticks));
            }
        }
    }

    /// <summary>What to ask for now; null when there is nothing to ask for yet (a serving certificate without addresses).</summary>
    protected abstract KubeletCertificateRequest? Template();

    /// <summary>Whether <paramref name="cert"/> still matches what <see cref="Template"/> asks for (default: yes).</summary>
    protected virtual bool Fits(X509Certificate2 cert) => true;

    /// <summary>Makes <paramref name="cert"/> the one presented.</summary>
    protected void SetCurrent(X509Certificate2 cert) => Volatile.Write(ref _current, cert);

    /// <summary>The certificate stored in <see cref="CurrentPath"/>, or null when absent or unreadable.</summary>
    protected X509Certificate2? LoadCurrent()
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

    /// <summary>
    /// Requests a certificate with <paramref name="client"/>: a CSR for <see cref="Template"/>, then the wait for it to
    /// be issued; the certificate and its key are written to <see cref="CurrentPath"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing to ask for, or the request was denied or failed.</exception>
    protected async Task<X509Certificate2> RequestAsync(Clientset client, CancellationToken ct)
    {
        var template = Template() ?? throw new InvalidOperationException("no addresses to request a certificate for yet");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(CertificateRequestRules.NodesGroup);
        subject.AddCommonName(CertificateRequestRules.NodeUserPrefix + NodeName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (template.DnsNames.Count > 0 || template.IpAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in template.DnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var ip in template.IpAddresses)
            {
                san.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var meta = template.NamedAfterKey
            ? new V1ObjectMeta { Name = template.NamePrefix + Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo())) }
            : new V1ObjectMeta { GenerateName = template.NamePrefix };
        var csrs = client.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        var created = await csrs.CreateAsync(new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = meta,
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(request.CreateSigningRequestPem()),
                SignerName = template.SignerName,
                Usages = [.. template.Usages],
            },
        }, ct: ct).ConfigureAwait(false);
        var name = created.Metadata.Name;
        LogRequested(Logger, name, template.SignerName);

        var issued = await WaitForCertificateAsync(csrs, name, ct).ConfigureAwait(false);
        var certPem = Encoding.ASCII.GetString(issued);
        using var cert = X509Certificate2.CreateFromPem(certPem);
        using var withKey = cert.CopyWithPrivateKey(key);
        Directory.CreateDirectory(_certDirectory);
        var tmp = CurrentPath + ".tmp";
        await File.WriteAllTextAsync(tmp, certPem.TrimEnd() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n", ct).ConfigureAwait(false);
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

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "requested a certificate from {Signer}: csr {Name}")]
    private static partial void LogRequested(ILogger logger, string name, string signer);

    [LoggerMessage(Level = LogLevel.Information, Message = "rotated {Path} (expires {NotAfter})")]
    private static partial void LogRotated(ILogger logger, string path, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "certificate rotation of {Path} failed: {Error}")]
    private static partial void LogRotationFailed(ILogger logger, string path, string error);
}
