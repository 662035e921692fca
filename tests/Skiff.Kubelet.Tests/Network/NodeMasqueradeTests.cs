using System.Diagnostics;
using Skiff.Kubelet.Network;
using Xunit;

namespace Skiff.Kubelet.Tests.Network;

/// <summary>The node-wide masquerade rule; the nft tests need root and nft (run under <c>flock /tmp/skiff-realnode.lock</c>).</summary>
public sealed class NodeMasqueradeTests
{
    private static readonly string? NftSkip =
        !OperatingSystem.IsLinux() || Environment.UserName != "root" ? "NFT TESTS SKIPPED: needs root on Linux"
        : !File.Exists(NodeMasquerade.Nft) && !File.Exists("/usr/sbin/nft") ? "NFT TESTS SKIPPED: needs nft"
        : null;

    [Fact]
    public void Render_MasqueradesThePodCidrToAnywhereButItselfAndMulticast()
    {
        var script = NodeMasquerade.Render("10.9.0.0/24", "br9");
        Assert.StartsWith("table ip skiff-masq-br9\ndelete table ip skiff-masq-br9\n", script.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("type nat hook postrouting priority srcnat;", script, StringComparison.Ordinal);
        Assert.Contains("ip saddr 10.9.0.0/24 ip daddr != 10.9.0.0/24 ip daddr != 224.0.0.0/4 masquerade", script, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task TryEnsureAsync_InstallsOneRuleIdempotently_AndRemoveAsyncDropsTheTable()
    {
        Skip.If(NftSkip is not null, NftSkip);
        var bridge = "skt" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            Assert.Equal((true, null), await NodeMasquerade.TryEnsureAsync("10.251.7.0/24", bridge, default));
            Assert.Equal((true, null), await NodeMasquerade.TryEnsureAsync("10.251.8.0/24", bridge, default)); // replaced, not added
            var (code, table) = await NftListAsync(bridge);
            Assert.Equal(0, code);
            Assert.Contains("ip saddr 10.251.8.0/24 ip daddr != 10.251.8.0/24", table, StringComparison.Ordinal);
            Assert.DoesNotContain("10.251.7.0/24", table, StringComparison.Ordinal);
            Assert.Single(table.Split('\n'), l => l.Contains("masquerade", StringComparison.Ordinal));
        }
        finally
        {
            await NodeMasquerade.RemoveAsync(bridge, default);
        }

        Assert.NotEqual(0, (await NftListAsync(bridge)).Code);
    }

    private static async Task<(int Code, string Output)> NftListAsync(string bridge)
    {
        var psi = new ProcessStartInfo(NodeMasquerade.Nft) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "list", "table", "ip", NodeMasquerade.TableName(bridge) })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output);
    }
}
