namespace Skiff.HostTools;

/// <summary>
/// The <c>nft</c> binary, shared by kube-proxy's rule sets (<c>Skiff.Proxy</c>) and the kubelet's node-wide masquerade
/// (<c>Skiff.Kubelet</c>), as upstream's components share <c>sigs.k8s.io/knftables</c>. Both run it through
/// <see cref="HostCommand"/> with the script on stdin, so <c>nft -f -</c> applies a whole script as one atomic
/// netlink transaction however many rules it holds.
/// </summary>
public static class Nft
{
    private const string SystemPath = "/usr/sbin/nft";

    /// <summary><c>/usr/sbin/nft</c> when it exists, else <c>nft</c> from the PATH.</summary>
    public static string DefaultPath { get; } = File.Exists(SystemPath) ? SystemPath : "nft";

    /// <summary>True when <c>nft</c> is at <c>/usr/sbin/nft</c> or on the PATH.</summary>
    public static bool IsAvailable() =>
        File.Exists(SystemPath) || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "nft")));
}
