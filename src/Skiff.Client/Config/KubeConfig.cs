namespace Skiff.Client.Config;

/// <summary>
/// A kubeconfig (clientcmd <c>api.Config</c>): named clusters, users and contexts, and the current context.
/// Relative file paths inside it are already resolved against the directory of the file that defined them.
/// </summary>
public sealed record KubeConfig
{
    public IReadOnlyDictionary<string, KubeCluster> Clusters { get; init; } = new Dictionary<string, KubeCluster>();

    public IReadOnlyDictionary<string, KubeUser> Users { get; init; } = new Dictionary<string, KubeUser>();

    public IReadOnlyDictionary<string, KubeContext> Contexts { get; init; } = new Dictionary<string, KubeContext>();

    /// <summary>The context used when none is named; may be null or empty.</summary>
    public string? CurrentContext { get; init; }
}
