using Skiff.Proxy.NetworkPolicy;
using Xunit;

namespace Skiff.Proxy.Tests.NetworkPolicy;

/// <summary>ipBlock arithmetic: CIDR minus exceptions, merged intervals, nft element text.</summary>
public sealed class Ipv4RangesTests
{
    [Theory]
    [InlineData("10.0.0.0/24", new string[0], "10.0.0.0/24")]
    [InlineData("10.0.0.7/24", new string[0], "10.0.0.0/24")] // host bits, as Go's ParseCIDR accepts them
    [InlineData("0.0.0.0/0", new[] { "10.0.0.0/8" }, "0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255")]
    [InlineData("10.0.0.0/24", new[] { "10.0.0.0/25" }, "10.0.0.128/25")]
    [InlineData("10.0.0.0/24", new[] { "10.0.0.0/24" }, "")]
    [InlineData("10.0.0.0/30", new[] { "10.0.0.1/32", "192.168.0.0/16" }, "10.0.0.0,10.0.0.2/31")]
    [InlineData("fd00::/8", new string[0], "")]
    public void BlockMinusExcept(string cidr, string[] except, string expected)
    {
        var ranges = new Ipv4Ranges();
        ranges.AddBlock(cidr, except);
        Assert.Equal(expected, string.Join(',', ranges.Elements()));
    }

    [Fact]
    public void AddressesAndBlocksMergeWhenTheyTouchOrOverlap()
    {
        var ranges = new Ipv4Ranges();
        ranges.AddAddress("10.0.0.5");
        ranges.AddAddress("10.0.0.4");
        ranges.AddAddress("10.0.0.9");
        ranges.AddBlock("10.0.0.6/31", null);
        ranges.AddAddress("10.0.0.5");
        Assert.Equal(["10.0.0.4/30", "10.0.0.9"], ranges.Elements());
        ranges.AddBlock("10.0.0.0/28", null);
        Assert.Equal(["10.0.0.0/28"], ranges.Elements());
        Assert.True(ranges.Contains(Ipv4Ranges.ToUInt(System.Net.IPAddress.Parse("10.0.0.15"))));
        Assert.False(ranges.Contains(Ipv4Ranges.ToUInt(System.Net.IPAddress.Parse("10.0.0.16"))));
    }
}
