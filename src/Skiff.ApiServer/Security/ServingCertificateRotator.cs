using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Skiff.ApiServer.Security;

/// <summary>
/// The API server's serving certificate, kept fresh without a restart (issue 14 §1). Kestrel asks
/// <see cref="Select"/> at every TLS handshake; the answer is the current certificate, which is replaced when
/// (a) <c>apiserver.crt</c>/<c>apiserver.key</c> changed on disk (reloaded), or (b) at least
/// <see cref="RenewAt"/> of its lifetime has passed or it lacks a SAN for a listen address, in which case a new one is
/// issued from the CA on disk (when its key is there), written back and served. Without the CA key the
/// certificate is only reloaded, never re-issued.
/// </summary>
public sealed class ServingCertificateRotator
{
    /// <summary>The used fraction of the lifetime from which a certificate is renewed.</summary>
    public const double RenewAt = 0.8;

    private readonly string _directory;
    private readonly IReadOnlyList<IPAddress> _ips;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private DateTime _loadedWrite;

    /// <summary>
    /// Serves the certificate of <paramref name="directory"/> (<c>apiserver.crt</c>, <c>apiserver.key</c>, the CA's
    /// <c>ca.crt</c>/<c>ca.key</c>), with SANs for <see cref="ClusterCertificates.ServingIps"/> and <paramref name="listenAddresses"/>.
    /// </summary>
    /// <param name="directory">The PKI directory.</param>
    /// <param name="initial">The certificate to start with (the one loaded at start).</param>
    /// <param name="listenAddresses">Where the server listens; an unspecified address stands for every address of the host.</param>
    /// <param name="clock">The clock (tests move it).</param>
    /// <param name="lifetime">The lifetime of re-issued certificates.</param>
    public ServingCertificateRotator(string directory, X509Certificate2 initial, IEnumerable<IPAddress> listenAddresses, TimeProvider clock, TimeSpan? lifetime = null)
    {
        _directory = directory;
        _clock = clock;
        _lifetime = lifetime ?? TimeSpan.FromDays(365);
        _ips = [.. ClusterCertificates.ServingIps.Concat(listenAddresses.SelectMany(Expand)).Distinct()];
        _current = initial;
        _loadedWrite = WriteTime();
    }

    /// <summary>The IP SANs a serving certificate must carry.</summary>
    public IReadOnlyList<IPAddress> RequiredIps => _ips;

    /// <summary>The certificate served now, renewed or reloaded first when due (Kestrel's <c>ServerCertificateSelector</c>).</summary>
    public X509Certificate2 Select()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var current = Volatile.Read(ref _current);
        if (!NeedsWork(current, now))
        {
            return current;
        }

        lock (_lock)
        {
            current = _current;
            if (WriteTime() != _loadedWrite && Load() is { } reloaded)
            {
                current = reloaded;
            }

            if (Due(current, now) && File.Exists(Path.Combine(_directory, "ca.key")))
            {
                current = Issue(now);
            }

            _loadedWrite = WriteTime();
            Volatile.Write(ref _current, current);
            return current;
        }
    }

    private bool NeedsWork(X509Certificate2 cert, DateTime now) => Due(cert, now) || WriteTime() != _loadedWrite;

    private bool Due(X509Certificate2 cert, DateTime now)
    {
        var notBefore = cert.NotBefore.ToUniversalTime();
        var renewAt = notBefore + TimeSpan.FromTicks((long)((cert.NotAfter.ToUniversalTime() - notBefore).Ticks * RenewAt));
        if (now >= renewAt)
        {
            return true;
        }

        var sans = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault()?.EnumerateIPAddresses().ToHashSet() ?? [];
        return !_ips.All(sans.Contains);
    }

    private X509Certificate2 Issue(DateTime now)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(_directory, "ca.crt"), Path.Combine(_directory, "ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in ClusterCertificates.ServingDnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var ip in _ips)
        {
            san.AddIpAddress(ip);
        }

        req.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] = (byte)((serial[0] & 0x7f) | 0x01);
        var notBefore = new DateTimeOffset(now).AddMinutes(-5);
        var notAfter = new DateTimeOffset(now) + _lifetime;
        var caNotAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        using var cert = req.Create(ca, notBefore, notAfter < caNotAfter ? notAfter : caNotAfter, serial);
        using var withKey = cert.CopyWithPrivateKey(key);

        // Key first, then certificate, each through a rename, so a concurrent reader sees a matching pair soon.
        Replace(Path.Combine(_directory, "apiserver.key"), key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        Replace(Path.Combine(_directory, "apiserver.crt"), cert.ExportCertificatePem() + "\n", secret: false);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private X509Certificate2? Load()
    {
        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(Path.Combine(_directory, "apiserver.crt"), Path.Combine(_directory, "apiserver.key"));
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
            // Half-written or mismatched pair: keep serving the current one and try again at the next handshake.
            return null;
        }
    }

    private DateTime WriteTime()
    {
        var crt = Path.Combine(_directory, "apiserver.crt");
        return File.Exists(crt) ? File.GetLastWriteTimeUtc(crt) : DateTime.MinValue;
    }

    private static void Replace(string path, string content, bool secret)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, content);
        if (secret && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, path, overwrite: true);
    }

    private static IEnumerable<IPAddress> Expand(IPAddress listen)
    {
        if (!listen.Equals(IPAddress.Any) && !listen.Equals(IPAddress.IPv6Any))
        {
            return [listen];
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !a.IsIPv6LinkLocal && (listen.Equals(IPAddress.Any) ? a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork : true));
    }
}
