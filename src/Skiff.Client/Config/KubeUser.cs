namespace Skiff.Client.Config;

/// <summary>A kubeconfig user (AuthInfo): client certificate, bearer token or basic credentials.</summary>
public sealed record KubeUser
{
    public string? ClientCertificate { get; init; }

    public byte[]? ClientCertificateData { get; init; }

    public string? ClientKey { get; init; }

    public byte[]? ClientKeyData { get; init; }

    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public string? Username { get; init; }

    public string? Password { get; init; }
}
