using Xunit;

namespace Skiff.Storage.Etcd.Tests;

public sealed class EtcdVersionTests
{
    [Theory]
    [InlineData("3.4.23", false)]
    [InlineData("3.4.31", true)]
    [InlineData("3.5.12", false)]
    [InlineData("3.5.13", true)]
    [InlineData("3.6.0", true)]
    [InlineData("3.6.0-rc.1", true)]
    [InlineData("garbage", false)]
    public void HasOrderedProgressRequests_Version_MatchesFixedReleases(string version, bool expected) =>
        Assert.Equal(expected, EtcdStorage.HasOrderedProgressRequests(version));

    [Fact]
    public void Parse_ServerList_AddsSchemeAndRejectsGarbage()
    {
        var options = EtcdOptions.Parse("127.0.0.1:2379, https://etcd-1:2379");
        Assert.Equal(["http://127.0.0.1:2379/", "https://etcd-1:2379/"], options.Endpoints.Select(u => u.ToString()));
        Assert.Throws<ArgumentException>(() => EtcdOptions.Parse(" , "));
        Assert.Throws<ArgumentException>(() => EtcdOptions.Parse("ftp://x:1"));
    }
}
