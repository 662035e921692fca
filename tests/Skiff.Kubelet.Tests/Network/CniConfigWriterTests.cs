using System.Text.Json.Nodes;
using Skiff.Kubelet.Network;
using Xunit;

namespace Skiff.Kubelet.Tests.Network;

public sealed class CniConfigWriterTests
{
    [Fact]
    public void Render_NodeMasquerade_TurnsTheBridgePluginsIpMasqOff()
    {
        var bridge = Bridge(CniConfigWriter.Render("10.9.0.0/24", "br9", ipMasq: false));
        Assert.Equal("bridge", (string?)bridge["type"]);
        Assert.Equal("br9", (string?)bridge["bridge"]);
        Assert.False((bool?)bridge["ipMasq"]);
        Assert.True((bool?)bridge["isGateway"]);
        Assert.Equal("10.9.0.0/24", (string?)bridge["ipam"]!["ranges"]![0]![0]!["subnet"]);
    }

    [Fact]
    public void Render_ByDefault_MasqueradesPerPodAndChainsPortmapButNoSecondLoopback()
    {
        var list = JsonNode.Parse(CniConfigWriter.Render("10.9.0.0/24"))!;
        Assert.True((bool?)list["plugins"]![0]!["ipMasq"]);
        Assert.Equal(["bridge", "portmap"], list["plugins"]!.AsArray().Select(p => (string?)p!["type"]));
    }

    private static JsonNode Bridge(string conflist) => JsonNode.Parse(conflist)!["plugins"]![0]!;
}
