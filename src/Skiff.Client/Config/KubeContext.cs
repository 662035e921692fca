namespace Skiff.Client.Config;

/// <summary>A kubeconfig context: a cluster, a user and a default namespace.</summary>
public sealed record KubeContext
{
    public string Cluster { get; init; } = "";

    public string User { get; init; } = "";

    public string? Namespace { get; init; }
}
