namespace Skiff.Proxy;

/// <summary>
/// Pods on one Linux bridge answer each other at layer 2, so a reply to a ClusterIP connection bypasses the host's IP
/// stack (and its un-DNAT) unless <c>br_netfilter</c> hands bridged IPv4 packets to the IP hooks
/// (<c>net.bridge.bridge-nf-call-iptables=1</c>). <see cref="Ensure"/> turns it on when the module is there; without it the
/// proxier masquerades all service traffic, so replies come back through the bridge's gateway.
/// </summary>
public static class BridgeNetfilter
{
    /// <summary>The sysctl's file.</summary>
    public const string SysctlPath = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    /// <summary>True when bridged packets traverse the IP hooks (after turning the sysctl on if it was off).</summary>
    public static bool Ensure(string path = SysctlPath)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            if (File.ReadAllText(path).Trim() == "1")
            {
                return true;
            }

            File.WriteAllText(path, "1");
            return File.ReadAllText(path).Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
