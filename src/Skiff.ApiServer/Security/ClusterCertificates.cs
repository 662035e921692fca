using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Security;

/// <summary>
/// The cluster's PKI in a data directory: a self-signed CA, a serving certificate for the API server (SANs
/// 127.0.0.1, ::1, localhost, kubernetes, kubernetes.default[.svc[.cluster.local]], 10.0.0.1) and an admin client
/// certificate (CN kubernetes-admin, O system:masters). Generated on first use as PEM files and reused afterwards,
/// so a restarted server keeps the same identity and existing kubeconfigs stay valid.
/// </summary>
public sealed class ClusterCertificates
{
    /// <summary>The serving certificate's DNS names.</summary>
    public static IReadOnlyList<string> ServingDnsNames { get; } =
        ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

    /// <summary>The serving certificate's IP addresses.</summary>
    public static IReadOnlyList<IPAddress> ServingIps { get; } =
        [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("10.0.0.1")];

    private ClusterCertificates(X509Certificate2 ca, X509Certificate2 serving, X509Certificate2 admin, string adminCertPem, string adminKeyPem, string caPem, X509Certificate2 kubeletClient)
    {
        FrontProxyCa = null!;
        FrontProxyClient = null!;
        FrontProxyCaPem = "";
        KubeletClient = kubeletClient;
        Ca = ca;
        Serving = serving;
        Admin = admin;
        AdminCertificatePem = adminCertPem;
        AdminKeyPem = adminKeyPem;
        CaPem = caPem;
    }

    /// <summary>The CA (public part; its key stays on disk).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate with its private key.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The admin client certificate with its private key.</summary>
    public X509Certificate2 Admin { get; }

    /// <summary>
    /// The API server's client certificate towards kubelets (upstream <c>--kubelet-client-certificate</c>, kubeadm's
    /// <c>apiserver-kubelet-client.crt</c>: CN <c>kube-apiserver-kubelet-client</c>, O <c>kubeadm:cluster-admins</c>), with its key.
    /// </summary>
    public X509Certificate2 KubeletClient { get; }

    /// <summary>
    /// The front-proxy CA (issue 14 §1, kubeadm's <c>front-proxy-ca.crt</c>): a CA of its own, separate from the cluster
    /// CA, that signs only the aggregator's client certificate; extension API servers trust it for request-header
    /// authentication (<c>--requestheader-client-ca-file</c>). Public part; its key stays on disk.
    /// </summary>
    public X509Certificate2 FrontProxyCa { get; private init; }

    /// <summary>The front-proxy CA certificate as PEM.</summary>
    public string FrontProxyCaPem { get; private init; }

    /// <summary>
    /// The aggregator's client certificate towards extension API servers (upstream <c>--proxy-client-cert-file</c>,
    /// kubeadm's <c>front-proxy-client.crt</c>: CN <c>front-proxy-client</c>, signed by <see cref="FrontProxyCa"/>), with its key.
    /// </summary>
    public X509Certificate2 FrontProxyClient { get; private init; }

    /// <summary>The CA certificate as PEM.</summary>
    public string CaPem { get; }

    /// <summary>The admin certificate as PEM.</summary>
    public string AdminCertificatePem { get; }

    /// <summary>The admin private key as PEM (PKCS#8).</summary>
    public string AdminKeyPem { get; }

    /// <summary>Loads the PKI from <paramref name="directory"/>, generating any missing part.</summary>
    public static ClusterCertificates LoadOrCreate(string directory)
    {
        Directory.CreateDirectory(directory);
        var caCertPath = Path.Combine(directory, "ca.crt");
        var caKeyPath = Path.Combine(directory, "ca.key");
        EnsureCa(caCertPath, caKeyPath, "CN=skiff-ca");

        using var caWithKey = X509Certificate2.CreateFromPemFile(caCertPath, caKeyPath);
        var caPublic = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        var serving = LoadOrIssue(directory, "apiserver", caWithKey, "CN=kube-apiserver", serverAuth: true);
        var admin = LoadOrIssue(directory, "admin", caWithKey, "CN=kubernetes-admin, O=system:masters", serverAuth: false);
        var kubeletClient = LoadOrIssue(directory, "apiserver-kubelet-client", caWithKey, "CN=kube-apiserver-kubelet-client, O=kubeadm:cluster-admins", serverAuth: false);
        var frontProxyCaPath = Path.Combine(directory, "front-proxy-ca.crt");
        EnsureCa(frontProxyCaPath, Path.Combine(directory, "front-proxy-ca.key"), "CN=front-proxy-ca");
        using var frontProxyCaWithKey = X509Certificate2.CreateFromPemFile(frontProxyCaPath, Path.Combine(directory, "front-proxy-ca.key"));
        var frontProxyClient = LoadOrIssue(directory, "front-proxy-client", frontProxyCaWithKey, "CN=front-proxy-client", serverAuth: false);
        return new ClusterCertificates(
            caPublic,
            serving,
            admin,
            File.ReadAllText(Path.Combine(directory, "admin.crt")),
            File.ReadAllText(Path.Combine(directory, "admin.key")),
            File.ReadAllText(caCertPath),
            kubeletClient)
        {
            FrontProxyCa = X509CertificateLoader.LoadCertificate(frontProxyCaWithKey.RawData),
            FrontProxyCaPem = File.ReadAllText(frontProxyCaPath),
            FrontProxyClient = frontProxyClient,
        };
    }

    private static void EnsureCa(string certPath, string keyPath, string subject)
    {
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            return;
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        WriteSecret(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(certPath, ca.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// Issues a kubelet serving certificate (upstream's <c>--tls-cert-file</c> for port 10250) signed by the CA on disk:
    /// CN <c>system:node:NODE</c>, O <c>system:nodes</c>, SANs the node name and <paramref name="addresses"/>.
    /// </summary>
    /// <returns>The certificate with its private key.</returns>
    public static X509Certificate2 IssueKubeletServingCertificate(string directory, string nodeName, IEnumerable<IPAddress> addresses)
    {
        using var caWithKey = X509Certificate2.CreateFromPemFile(Path.Combine(directory, "ca.crt"), Path.Combine(directory, "ca.key"));
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("system:nodes");
        subject.AddCommonName("system:node:" + nodeName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(nodeName);
        foreach (var ip in addresses)
        {
            san.AddIpAddress(ip);
        }

        using var cert = Issue(caWithKey, subject.Build(), key, serverAuth: true, san.Build());
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Issues a client certificate for <paramref name="user"/> in <paramref name="groups"/>, signed by the CA on disk.</summary>
    /// <returns>The certificate PEM and its key PEM.</returns>
    public static (string CertPem, string KeyPem) IssueClientCertificate(string directory, string user, IEnumerable<string> groups)
    {
        using var caWithKey = X509Certificate2.CreateFromPemFile(Path.Combine(directory, "ca.crt"), Path.Combine(directory, "ca.key"));
        var subject = new X500DistinguishedNameBuilder();
        foreach (var g in groups)
        {
            subject.AddOrganizationName(g);
        }

        subject.AddCommonName(user);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = Issue(caWithKey, subject.Build(), key, serverAuth: false);
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static X509Certificate2 LoadOrIssue(string directory, string name, X509Certificate2 ca, string subject, bool serverAuth)
    {
        var certPath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var cert = Issue(ca, new X500DistinguishedName(subject), key, serverAuth);
            WriteSecret(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
            File.WriteAllText(certPath, cert.ExportCertificatePem() + "\n");
        }

        using var loaded = X509Certificate2.CreateFromPemFile(certPath, keyPath);

        // Round-trip through PKCS#12 so that SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, X500DistinguishedName subject, ECDsa key, bool serverAuth, X509Extension? subjectAltNames = null)
    {
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var eku = new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") };
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));
        if (subjectAltNames is not null)
        {
            req.CertificateExtensions.Add(subjectAltNames);
        }
        else if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dns in ServingDnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (var ip in ServingIps)
            {
                san.AddIpAddress(ip);
            }

            req.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        var notAfter = DateTimeOffset.UtcNow.AddYears(5);
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        using var signed = req.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// The certificates of a PEM bundle (upstream's <c>--client-ca-file</c>).
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds no certificate or a malformed one.</exception>
    public static X509Certificate2Collection LoadClientCaBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{path}: not a PEM certificate bundle: {e.Message}", e);
        }

        return bundle.Count > 0 ? bundle : throw new InvalidDataException($"{path}: no certificate found");
    }

    private static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>
    /// True when <paramref name="client"/> chains to the cluster CA, or to one of <paramref name="extraCas"/>, and is
    /// valid for client authentication now.
    /// </summary>
    public bool IsTrustedClient(X509Certificate2 client, X509Certificate2Collection? extraCas = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        if (extraCas is { Count: > 0 })
        {
            chain.ChainPolicy.CustomTrustStore.AddRange(extraCas);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(client);
    }
}
