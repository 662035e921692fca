namespace Skiff.Proxy.Nftables;

/// <summary>The chains and affinity sets one Service owns in the table (so a later sync can remove the stale ones).</summary>
public sealed record ServiceObjects(IReadOnlyList<string> Chains, IReadOnlyList<string> Sets)
{
    /// <summary>No objects.</summary>
    public static ServiceObjects Empty { get; } = new([], []);
}
