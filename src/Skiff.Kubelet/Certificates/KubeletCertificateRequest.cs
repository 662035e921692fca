using System.Net;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// What a kubelet asks a signer for (client-go's certificate manager <c>GetTemplate</c>, <c>SignerName</c> and
/// <c>GetUsages</c>): always the node's subject (CN <c>system:node:NAME</c>, O <c>system:nodes</c>), the SANs, the
/// signer, the usages, and how the CSR is named.
/// </summary>
/// <param name="SignerName">The signer (<c>kubernetes.io/kube-apiserver-client-kubelet</c>, <c>kubernetes.io/kubelet-serving</c>).</param>
/// <param name="Usages">The key usages (for the P-256 keys the kubelet makes, without <c>key encipherment</c>, as upstream's <c>DefaultKubelet*GetUsages</c>).</param>
/// <param name="DnsNames">The DNS SANs.</param>
/// <param name="IpAddresses">The IP SANs.</param>
/// <param name="NamePrefix">
/// The name: <c>node-csr-</c> plus the key's digest for the client bootstrap (upstream's <c>digestedName</c>);
/// otherwise the server's <c>generateName</c> prefix (<c>csr-</c>, as the certificate manager asks).
/// </param>
/// <param name="NamedAfterKey">True: the name is <paramref name="NamePrefix"/> plus the digest; false: generateName.</param>
public sealed record KubeletCertificateRequest(
    string SignerName,
    IReadOnlyList<string> Usages,
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<IPAddress> IpAddresses,
    string NamePrefix,
    bool NamedAfterKey);
