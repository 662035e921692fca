using Skiff.HostTools;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary><see cref="ContainerdFixture"/>'s clean-up of the bridges that earlier fixtures left on the host.</summary>
public sealed class ContainerdFixtureTests
{
    private static readonly string? BridgeSkip =
        !OperatingSystem.IsLinux() || Environment.UserName != "root" || !Directory.Exists("/sys/class/net") ? "BRIDGE TESTS SKIPPED: needs root on Linux" : null;

    [SkippableFact]
    public async Task DeleteStaleBridgesAsync_DeletesPortlessFixtureBridges_KeepsOnesWithAPort()
    {
        Skip.If(BridgeSkip is not null, BridgeSkip);
        using var held = await RealNodeLock.AcquireAsync(TimeSpan.FromMinutes(30), CancellationToken.None);
        var id = Guid.NewGuid().ToString("N")[..6];
        var (stale, busy, port) = (ContainerdFixture.BridgePrefix + id, ContainerdFixture.BridgePrefix + id[..5] + (id[5] == 'f' ? 'e' : 'f'), "skv" + id);
        try
        {
            await IpAsync("link", "add", stale, "type", "bridge");
            await IpAsync("link", "add", busy, "type", "bridge");
            await IpAsync("link", "add", port, "type", "veth", "peer", "name", "skw" + id);
            await IpAsync("link", "set", port, "master", busy);

            Assert.Contains(stale, ContainerdFixture.StaleBridges());
            Assert.DoesNotContain(busy, ContainerdFixture.StaleBridges());
            await ContainerdFixture.DeleteStaleBridgesAsync();

            Assert.False(Directory.Exists("/sys/class/net/" + stale), stale + " is still there");
            Assert.True(Directory.Exists("/sys/class/net/" + busy), busy + " was deleted with a port on it");
        }
        finally
        {
            foreach (var link in new[] { port, busy, stale })
            {
                await HostCommand.RunAsync("ip", ["link", "delete", link], null, CancellationToken.None);
            }
        }
    }

    private static async Task IpAsync(params string[] args)
    {
        var (code, _, error) = await HostCommand.RunAsync("ip", args, null, CancellationToken.None);
        Assert.True(code == 0, $"ip {string.Join(' ', args)}: {error}");
    }
}
