using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// The kubelet's serving certificate through CSRs (upstream <c>--rotate-server-certificates</c> /
/// <c>serverTLSBootstrap</c>, <c>pkg/kubelet/certificate/kubelet.go</c>): a CSR <c>csr-…</c> for CN
/// <c>system:node:NAME</c>, O <c>system:nodes</c>, signer <c>kubernetes.io/kubelet-serving</c>, usages
/// <c>digital signature</c> and <c>server auth</c>, with the node's hostnames and addresses as SANs, is made with the
/// node's own identity. Nothing approves these automatically (an admin or <c>kubectl certificate approve</c> does);
/// once issued the certificate and its key go to <c>kubelet-server-current.pem</c> and are presented from the next
/// handshake (<see cref="SelectForHandshake"/>), and renewed at 70–90 % of their lifetime, or at once when the
/// node's addresses are no longer all in it. Until the first is issued every handshake fails, as upstream's
/// <c>no serving certificate available for the kubelet</c>.
/// </summary>
public sealed class KubeletServingCertificateManager : KubeletCertificateManager
{
    /// <summary>The file holding the current certificate and key.</summary>
    public const string CurrentFileName = "kubelet-server-current.pem";

    private readonly Func<IReadOnlyList<V1NodeAddress>> _addresses;

    /// <summary>
    /// Creates a manager for <paramref name="nodeName"/> keeping its files in <paramref name="certDirectory"/>, asking for
    /// SANs from <paramref name="addresses"/> (the node's last observed addresses). A valid stored certificate that
    /// covers them is presented at once.
    /// </summary>
    public KubeletServingCertificateManager(string nodeName, string certDirectory, Func<IReadOnlyList<V1NodeAddress>> addresses, TimeProvider clock, ILogger logger)
        : base(nodeName, certDirectory, CurrentFileName, clock, logger)
    {
        _addresses = addresses;
        if (File.Exists(CurrentPath) && LoadCurrent() is { } stored && stored.NotAfter.ToUniversalTime() > clock.GetUtcNow().UtcDateTime)
        {
            SetCurrent(stored);
        }
    }

    /// <summary>Kestrel's <c>ServerCertificateSelector</c>: the current certificate, read at every handshake.</summary>
    /// <exception cref="AuthenticationException">None has been issued yet (the handshake fails).</exception>
    public X509Certificate2 SelectForHandshake() => Current ?? throw new AuthenticationException("no serving certificate available for the kubelet");

    /// <summary>Upstream's <c>addressesToHostnamesAndIPs</c>: hostnames and DNS addresses as DNS SANs, IPs (a hostname that is an IP too) as IP SANs, each once, in order.</summary>
    public static (IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Ips) HostnamesAndIps(IEnumerable<V1NodeAddress> addresses)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (var a in addresses)
        {
            if (string.IsNullOrEmpty(a.Address))
            {
                continue;
            }

            switch (a.Type)
            {
                case "Hostname" or "ExternalIP" or "InternalIP" when ParseIp(a.Address) is { } ip:
                    if (!ips.Contains(ip))
                    {
                        ips.Add(ip);
                    }

                    break;
                case "Hostname" or "ExternalDNS" or "InternalDNS":
                    if (!dns.Contains(a.Address))
                    {
                        dns.Add(a.Address);
                    }

                    break;
            }
        }

        return (dns, ips);
    }

    /// <summary>An IP in dotted-quad or IPv6 form (not the shorthands <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also accepts, like <c>1</c>).</summary>
    private static IPAddress? ParseIp(string text) =>
        IPAddress.TryParse(text, out var ip) && (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3) ? ip : null;

    /// <inheritdoc/>
    protected override KubeletCertificateRequest? Template()
    {
        var (dns, ips) = HostnamesAndIps(_addresses());
        return dns.Count == 0 && ips.Count == 0
            ? null
            : new KubeletCertificateRequest(CertificateSigners.KubeletServing, ["digital signature", "server auth"], dns, ips, "csr-", NamedAfterKey: false);
    }

    /// <inheritdoc/>
    protected override bool Fits(X509Certificate2 cert)
    {
        var (dns, ips) = HostnamesAndIps(_addresses());
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var haveDns = san?.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var haveIps = san?.EnumerateIPAddresses().ToHashSet() ?? [];
        return dns.All(haveDns.Contains) && ips.All(haveIps.Contains);
    }
}
