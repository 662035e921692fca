using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Api.Certificates;

/// <summary>
/// A PKCS#10 request as upstream's <c>ParseCSR</c> returns it: the PEM block decoded, the request parsed and its
/// self-signature checked, plus the subject's common name and organizations and the subject alternative names.
/// </summary>
public sealed class ParsedCertificateRequest
{
    private const string SanOid = "2.5.29.17";

    private ParsedCertificateRequest(CertificateRequest request, string commonName, IReadOnlyList<string> organizations)
    {
        Request = request;
        CommonName = commonName;
        Organizations = organizations;
    }

    /// <summary>The parsed request (subject, public key, requested extensions).</summary>
    public CertificateRequest Request { get; }

    /// <summary>The subject's CN ("" when absent).</summary>
    public string CommonName { get; }

    /// <summary>The subject's O values, in order.</summary>
    public IReadOnlyList<string> Organizations { get; }

    /// <summary>DNS subject alternative names.</summary>
    public IReadOnlyList<string> DnsNames { get; private init; } = [];

    /// <summary>IP subject alternative names.</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; private init; } = [];

    /// <summary>Email (rfc822Name) subject alternative names.</summary>
    public int EmailCount { get; private init; }

    /// <summary>URI subject alternative names.</summary>
    public int UriCount { get; private init; }

    /// <summary>The subject alternative name extension as requested, or null.</summary>
    public X509Extension? SubjectAlternativeNames { get; private init; }

    /// <summary>
    /// Parses <paramref name="pem"/> (the bytes of <c>spec.request</c>): the first PEM block must be a
    /// <c>CERTIFICATE REQUEST</c> whose signature verifies. Returns null and an upstream-worded
    /// <paramref name="error"/> otherwise.
    /// </summary>
    public static ParsedCertificateRequest? TryParse(byte[] pem, out string error)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(pem);
        }
        catch (DecoderFallbackException)
        {
            error = "PEM block type must be CERTIFICATE REQUEST";
            return null;
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE REQUEST")
        {
            error = "PEM block type must be CERTIFICATE REQUEST";
            return null;
        }

        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(text[fields.Location], HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException e)
        {
            error = "x509: " + e.Message;
            return null;
        }

        string cn = "";
        var orgs = new List<string>();
        foreach (var rdn in request.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var oid = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue() ?? "";
            if (oid == "2.5.4.3")
            {
                cn = value;
            }
            else if (oid == "2.5.4.10")
            {
                orgs.Add(value);
            }
        }

        var dns = new List<string>();
        var ips = new List<IPAddress>();
        int emails = 0, uris = 0;
        var sanExt = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == SanOid);
        if (sanExt is not null)
        {
            try
            {
                // GeneralNames ::= SEQUENCE OF GeneralName; context tags 1 rfc822Name, 2 dNSName, 6 URI, 7 iPAddress.
                var reader = new AsnReader(sanExt.RawData, AsnEncodingRules.DER).ReadSequence();
                while (reader.HasData)
                {
                    var tag = reader.PeekTag();
                    var value = reader.ReadEncodedValue();
                    if (tag.TagClass != TagClass.ContextSpecific)
                    {
                        continue;
                    }

                    var inner = new AsnReader(value, AsnEncodingRules.DER);
                    switch (tag.TagValue)
                    {
                        case 1: emails++; break;
                        case 2: dns.Add(Encoding.ASCII.GetString(inner.ReadOctetString(tag))); break;
                        case 6: uris++; break;
                        case 7: ips.Add(new IPAddress(inner.ReadOctetString(tag))); break;
                    }
                }
            }
            catch (Exception e) when (e is AsnContentException or ArgumentException or CryptographicException)
            {
                error = "x509: cannot parse subjectAltName: " + e.Message;
                return null;
            }
        }

        error = "";
        return new ParsedCertificateRequest(request, cn, orgs)
        {
            DnsNames = dns,
            IpAddresses = ips,
            EmailCount = emails,
            UriCount = uris,
            SubjectAlternativeNames = sanExt,
        };
    }
}
