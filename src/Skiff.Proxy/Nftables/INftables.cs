namespace Skiff.Proxy.Nftables;

/// <summary>Applies one nftables transaction atomically (all of it or nothing).</summary>
public interface INftables
{
    /// <summary>Applies <paramref name="script"/> (<c>nft -f</c> syntax).</summary>
    /// <exception cref="NftablesException">nft rejected the transaction (nothing was applied).</exception>
    Task ApplyAsync(string script, CancellationToken ct);
}
