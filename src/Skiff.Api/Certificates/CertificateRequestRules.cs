namespace Skiff.Api.Certificates;

/// <summary>
/// Upstream's per-signer request checks (<c>pkg/apis/certificates/helpers.go</c> <c>ValidateKubeletClientCSR</c>,
/// <c>ValidateKubeletServingCSR</c>; <c>pkg/controller/certificates/signer</c> <c>validAPIServerClientUsages</c>).
/// Each returns null when the request is acceptable, else upstream's error text.
/// </summary>
public static class CertificateRequestRules
{
    private static readonly string[] KubeletClientUsages = ["client auth", "digital signature", "key encipherment"];
    private static readonly string[] KubeletClientUsagesNoRsa = ["client auth", "digital signature"];
    private static readonly string[] KubeletServingUsages = ["digital signature", "key encipherment", "server auth"];
    private static readonly string[] KubeletServingUsagesNoRsa = ["digital signature", "server auth"];

    /// <summary>The prefix of every kubelet's user name.</summary>
    public const string NodeUserPrefix = "system:node:";

    /// <summary>The group of every kubelet.</summary>
    public const string NodesGroup = "system:nodes";

    /// <summary>A kubelet client certificate: O exactly <c>system:nodes</c>, no SANs, CN <c>system:node:…</c>, the usages exactly as upstream.</summary>
    public static string? ValidateKubeletClient(ParsedCertificateRequest req, IEnumerable<string> usages)
    {
        if (req.Organizations is not [NodesGroup])
        {
            return "subject organization is not system:nodes";
        }

        if (req.DnsNames.Count > 0)
        {
            return "DNS subjectAltNames are not allowed";
        }

        if (req.EmailCount > 0)
        {
            return "Email subjectAltNames are not allowed";
        }

        if (req.IpAddresses.Count > 0)
        {
            return "IP subjectAltNames are not allowed";
        }

        if (req.UriCount > 0)
        {
            return "URI subjectAltNames are not allowed";
        }

        if (!req.CommonName.StartsWith(NodeUserPrefix, StringComparison.Ordinal))
        {
            return "subject common name does not begin with system:node:";
        }

        var set = usages.ToHashSet(StringComparer.Ordinal);
        return set.SetEquals(KubeletClientUsages) || set.SetEquals(KubeletClientUsagesNoRsa) ? null : $"usages did not match [{string.Join(' ', KubeletClientUsages)}]";
    }

    /// <summary>A kubelet serving certificate: O exactly <c>system:nodes</c>, a DNS or IP SAN, no email or URI SAN, the usages, CN <c>system:node:…</c>.</summary>
    public static string? ValidateKubeletServing(ParsedCertificateRequest req, IEnumerable<string> usages)
    {
        if (req.Organizations is not [NodesGroup])
        {
            return "subject organization is not system:nodes";
        }

        if (req.DnsNames.Count == 0 && req.IpAddresses.Count == 0)
        {
            return "DNS or IP subjectAltName is required";
        }

        if (req.EmailCount > 0)
        {
            return "Email subjectAltNames are not allowed";
        }

        if (req.UriCount > 0)
        {
            return "URI subjectAltNames are not allowed";
        }

        var set = usages.ToHashSet(StringComparer.Ordinal);
        if (!set.SetEquals(KubeletServingUsages) && !set.SetEquals(KubeletServingUsagesNoRsa))
        {
            return $"usages did not match [{string.Join(' ', KubeletServingUsages)}]";
        }

        return req.CommonName.StartsWith(NodeUserPrefix, StringComparison.Ordinal) ? null : "subject common name does not begin with system:node:";
    }

    /// <summary>An API server client certificate: <c>client auth</c> required; only <c>digital signature</c> and <c>key encipherment</c> besides.</summary>
    public static string? ValidateApiServerClientUsages(IEnumerable<string> usages)
    {
        var hasClientAuth = false;
        foreach (var u in usages)
        {
            switch (u)
            {
                case "digital signature" or "key encipherment":
                    break;
                case "client auth":
                    hasClientAuth = true;
                    break;
                default:
                    return $"invalid usage for client certificate: {u}";
            }
        }

        return hasClientAuth ? null : "missing required usage for client certificate: client auth";
    }

    /// <summary>
    /// The validity the signers give (upstream's <c>duration</c>): the signer's maximum when nothing is requested,
    /// else the request capped at the maximum and raised to ten minutes.
    /// </summary>
    public static TimeSpan Duration(TimeSpan signerMaximum, long? expirationSeconds)
    {
        if (expirationSeconds is not { } s)
        {
            return signerMaximum;
        }

        var requested = TimeSpan.FromSeconds(s);
        var min = TimeSpan.FromMinutes(10);
        return requested > signerMaximum ? signerMaximum : requested < min ? min : requested;
    }
}
