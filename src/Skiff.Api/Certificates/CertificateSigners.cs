namespace Skiff.Api.Certificates;

/// <summary>
/// The well-known signer names and key usages of certificates.k8s.io/v1 (upstream <c>k8s.io/api/certificates/v1</c>).
/// </summary>
public static class CertificateSigners
{
    /// <summary>Client certificates for the API server, approved by hand or by an external approver.</summary>
    public const string KubeApiServerClient = "kubernetes.io/kube-apiserver-client";

    /// <summary>Kubelet client certificates (<c>system:node:NAME</c> in <c>system:nodes</c>), auto-approved by csrapproving.</summary>
    public const string KubeApiServerClientKubelet = "kubernetes.io/kube-apiserver-client-kubelet";

    /// <summary>Kubelet serving certificates (port 10250).</summary>
    public const string KubeletServing = "kubernetes.io/kubelet-serving";

    /// <summary>The v1beta1 catch-all signer; certificates.k8s.io/v1 refuses it.</summary>
    public const string LegacyUnknown = "kubernetes.io/legacy-unknown";

    /// <summary>The key usages that map to the X.509 key-usage extension (upstream's <c>keyUsageDict</c>).</summary>
    public static IReadOnlyList<string> KeyUsages { get; } =
        ["signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only"];

    /// <summary>The key usages that map to the extended-key-usage extension (upstream's <c>extKeyUsageDict</c>).</summary>
    public static IReadOnlyList<string> ExtendedKeyUsages { get; } =
        ["any", "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"];

    /// <summary>Every usage the API accepts, sorted as upstream lists them in a NotSupported error.</summary>
    public static IReadOnlyList<string> AllUsages { get; } = [.. KeyUsages.Concat(ExtendedKeyUsages).Order(StringComparer.Ordinal)];
}
