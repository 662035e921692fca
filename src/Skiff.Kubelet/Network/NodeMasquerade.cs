using System.ComponentModel;
using Skiff.HostTools;

namespace Skiff.Kubelet.Network;

/// <summary>
/// One node-wide masquerade rule for the pod network, as k3s's flannel and upstream's ip-masq-agent install it: traffic
/// from the pod CIDR to anywhere but the pod CIDR (and multicast) leaves with the node's address. It replaces the CNI
/// bridge plugin's per-pod <c>ipMasq</c>, which costs every pod start a chain of its own and about six iptables calls
/// (serialised on the xtables lock) and every pod stop as many again.
/// </summary>
/// <remarks>
/// The rule lives in an nftables table of its own per bridge (<c>ip skiff-masq-BRIDGE</c>), written in one atomic
/// <c>nft -f -</c> transaction that replaces whatever the table held (idempotent across restarts). Service traffic is
/// unaffected: kube-proxy's DNAT happens before postrouting, so a pod→ClusterIP→pod packet has a pod destination here
/// and is left alone, as with the bridge plugin's rule.
/// </remarks>
public static class NodeMasquerade
{
    /// <summary>The nft binary.</summary>
    public static string Nft { get; set; } = HostTools.Nft.DefaultPath;

    /// <summary>The table's name for <paramref name="bridge"/>.</summary>
    public static string TableName(string bridge) => "skiff-masq-" + bridge;

    /// <summary>The nft script that (re)creates the table for <paramref name="podCidr"/> on <paramref name="bridge"/>.</summary>
    public static string Render(string podCidr, string bridge)
    {
        var table = "ip " + TableName(bridge);
        return $"""
            table {table}
            delete table {table}
            table {table} {"{"}
              chain postrouting {"{"}
                type nat hook postrouting priority srcnat; policy accept;
                ip saddr {podCidr} ip daddr != {podCidr} ip daddr != 224.0.0.0/4 masquerade
              {"}"}
            {"}"}

            """;
    }

    /// <summary>
    /// Installs (or replaces) the rule; false when it cannot be installed here (not root, no nft, the kernel refuses):
    /// the caller then keeps the bridge plugin's per-pod masquerade. <paramref name="error"/> says why.
    /// </summary>
    public static async Task<(bool Installed, string? Error)> TryEnsureAsync(string podCidr, string bridge, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return (false, "not root on Linux");
        }

        var (code, error) = await RunAsync(["-f", "-"], Render(podCidr, bridge), ct).ConfigureAwait(false);
        return code == 0 ? (true, null) : (false, error);
    }

    /// <summary>Removes the table (best effort; absent is fine).</summary>
    public static async Task RemoveAsync(string bridge, CancellationToken ct)
    {
        await RunAsync(["delete", "table", "ip", TableName(bridge)], null, ct).ConfigureAwait(false);
    }

    private static async Task<(int Code, string Error)> RunAsync(IReadOnlyList<string> args, string? input, CancellationToken ct)
    {
        try
        {
            var (code, _, error) = await HostCommand.RunAsync(Nft, args, input, ct).ConfigureAwait(false);
            return (code, error.Trim());
        }
        catch (Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
