using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Kubelet.Network;

/// <summary>
/// Writes the pod network's CNI configuration list (<c>10-skiff.conflist</c>) for the node's pod CIDR: a Linux bridge
/// (gateway, hairpin mode, and IP masquerade per pod unless the node masquerades the CIDR with one rule, see
/// <see cref="NodeMasquerade"/>) with host-local IPAM on the CIDR, and portmap for hostPorts (a pass-through for pods
/// without any); and turns on <c>net.ipv4.ip_forward</c>. containerd's CRI plugin picks the file up from its CNI
/// conf_dir. No loopback plugin: containerd's CRI plugin runs its own <c>cni-loopback</c> network for every sandbox
/// (go-cni's <c>WithLoNetwork</c>), so a loopback entry here would only run the same plugin a second time per pod start
/// and stop.
/// </summary>
public static class CniConfigWriter
{
    /// <summary>The file name.</summary>
    public const string FileName = "10-skiff.conflist";

    /// <summary>
    /// The conflist JSON for <paramref name="podCidr"/> on bridge <paramref name="bridge"/>, host-local state in
    /// <paramref name="ipamDataDirectory"/>; <paramref name="ipMasq"/>: the bridge plugin masquerades each pod's egress
    /// (false when <see cref="NodeMasquerade"/> does it for the whole CIDR).
    /// </summary>
    public static string Render(string podCidr, string bridge = "cni0", string ipamDataDirectory = "/var/lib/cni/networks", string networkName = "skiff", bool ipMasq = true)
    {
        var list = new JsonObject
        {
            ["cniVersion"] = "1.0.0",
            ["name"] = networkName,
            ["plugins"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = bridge,
                    ["isGateway"] = true,
                    ["ipMasq"] = ipMasq,
                    ["hairpinMode"] = true,
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = podCidr })),
                        ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                        ["dataDir"] = ipamDataDirectory,
                    },
                },
                new JsonObject { ["type"] = "portmap", ["capabilities"] = new JsonObject { ["portMappings"] = true } }),
        };
        return list.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes the conflist into <paramref name="confDirectory"/> (atomically) and enables IP forwarding (best effort).</summary>
    public static Task WriteAsync(string confDirectory, string podCidr, string bridge, CancellationToken ct) => WriteAsync(confDirectory, podCidr, bridge, ipMasq: true, ct);

    /// <summary>As <see cref="WriteAsync(string, string, string, CancellationToken)"/>; <paramref name="ipMasq"/> as in <see cref="Render"/>.</summary>
    public static async Task WriteAsync(string confDirectory, string podCidr, string bridge, bool ipMasq, CancellationToken ct)
    {
        Directory.CreateDirectory(confDirectory);
        var path = Path.Combine(confDirectory, FileName);
        var text = Render(podCidr, bridge, Path.Combine(confDirectory, "..", "ipam"), ipMasq: ipMasq);
        if (File.Exists(path) && await File.ReadAllTextAsync(path, ct).ConfigureAwait(false) == text)
        {
            return;
        }

        await File.WriteAllTextAsync(path + ".tmp", text, ct).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
        try
        {
            await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "1", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not root: pods still reach each other on the bridge, not the outside.
        }
    }
}
