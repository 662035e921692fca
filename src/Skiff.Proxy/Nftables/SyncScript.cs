namespace Skiff.Proxy.Nftables;

/// <summary>
/// One sync's transaction for <c>nft -f</c> and the objects the table holds once it is applied (per service key),
/// which the next partial sync diffs against.
/// </summary>
public sealed record SyncScript(string Text, IReadOnlyDictionary<string, ServiceObjects> Objects, int RuleCount);
