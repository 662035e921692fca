namespace Skiff.Cli;

/// <summary>The flags of <c>skiff kubelet</c>, parsed (today only the hollow mode: <c>--hollow</c>).</summary>
internal sealed record KubeletSettings
{
    /// <summary>The kubeconfig to connect with; null: <c>$KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Run hollow nodes (no containers) instead of a real kubelet.</summary>
    public bool Hollow { get; init; }

    /// <summary>How many hollow nodes.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Node names are this prefix and an index.</summary>
    public string NodeNamePrefix { get; init; } = "hollow-";

    /// <summary>The index of the first node (several processes can share a cluster with disjoint names and pod CIDRs).</summary>
    public int FirstIndex { get; init; }

    public float Qps { get; init; } = 0;

    public int Burst { get; init; } = 100;

    public int Verbosity { get; init; }
}
