namespace Skiff.Kubelet.Server;

/// <summary>Who called the kubelet's API: the user of a cluster-CA client certificate (CN, O) or of a reviewed bearer token.</summary>
public sealed record KubeletUser(string Name, IReadOnlyList<string> Groups, string? Uid = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null);
