using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Controllers.Tests.Certificates;

/// <summary>PKCS#10 requests for the CSR tests, made with System.Security.Cryptography.</summary>
internal static class CsrTestRequests
{
    /// <summary>A PEM request for CN <paramref name="cn"/> in <paramref name="orgs"/> (with optional DNS/IP SANs), and its key.</summary>
    public static (string Pem, ECDsa Key) Create(string cn, string[] orgs, string[]? dns = null, IPAddress[]? ips = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var o in orgs)
        {
            subject.AddOrganizationName(o);
        }

        subject.AddCommonName(cn);
        var req = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dns is { Length: > 0 } || ips is { Length: > 0 })
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dns ?? [])
            {
                san.AddDnsName(d);
            }

            foreach (var ip in ips ?? [])
            {
                san.AddIpAddress(ip);
            }

            req.CertificateExtensions.Add(san.Build());
        }

        return (req.CreateSigningRequestPem(), key);
    }

    /// <summary>A CertificateSigningRequest manifest (JSON) for kubectl.</summary>
    public static string Manifest(string name, string pem, string signer, string[] usages, int? expirationSeconds = null) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["apiVersion"] = "certificates.k8s.io/v1",
            ["kind"] = "CertificateSigningRequest",
            ["metadata"] = new Dictionary<string, string> { ["name"] = name },
            ["spec"] = new Dictionary<string, object?>
            {
                ["request"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem)),
                ["signerName"] = signer,
                ["usages"] = usages,
                ["expirationSeconds"] = expirationSeconds,
            }.Where(kv => kv.Value is not null).ToDictionary(),
        });
}
