namespace Skiff.Proxy.Nftables;

/// <summary>nft failed (the transaction was not applied) or is missing.</summary>
public sealed class NftablesException(string message, Exception? inner = null) : Exception(message, inner);
