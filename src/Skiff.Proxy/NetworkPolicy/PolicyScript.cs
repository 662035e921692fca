namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// One sync's nftables transaction for the NetworkPolicy table (<c>nft -f</c> text, all or nothing) with its size:
/// rules written, pods isolated for ingress and for egress on this node.
/// </summary>
public sealed record PolicyScript(string Text, int RuleCount, int IngressIsolatedPods, int EgressIsolatedPods);
