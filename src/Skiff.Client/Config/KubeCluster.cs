namespace Skiff.Client.Config;

/// <summary>A kubeconfig cluster: where the API server is and how to trust it.</summary>
public sealed record KubeCluster
{
    public string Server { get; init; } = "";

    /// <summary>Path to a PEM file of CA certificates.</summary>
    public string? CertificateAuthority { get; init; }

    /// <summary>PEM bytes of CA certificates (decoded from <c>certificate-authority-data</c>).</summary>
    public byte[]? CertificateAuthorityData { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    public string? TlsServerName { get; init; }

    public string? ProxyUrl { get; init; }
}
