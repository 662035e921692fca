using Skiff.ApiServer.Endpoints;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>How a backend's redirect <c>Location</c> is rewritten under the proxy prefix (upstream's proxy transport).</summary>
public sealed class ProxyForwarderTests
{
    private const string Prefix = "/api/v1/namespaces/ns/services/web:80/proxy";
    private static readonly Uri Backend = new("http://10.42.0.7:8080/x");

    [Theory]
    [InlineData("/login?next=%2F", Prefix + "/login?next=%2F")]
    [InlineData("http://10.42.0.7:8080/a/b?c=1", Prefix + "/a/b?c=1")]
    [InlineData("http://10.42.0.7:9090/a", "http://10.42.0.7:9090/a")]
    [InlineData("https://example.com/a", "https://example.com/a")]
    [InlineData("//example.com/a", "//example.com/a")]
    [InlineData("relative/path", "relative/path")]
    public void Location_IntoTheBackend_MovesUnderThePrefix_OthersStay(string location, string expected) =>
        Assert.Equal(expected, ProxyForwarder.RewriteLocation(location, Backend, Prefix));
}
