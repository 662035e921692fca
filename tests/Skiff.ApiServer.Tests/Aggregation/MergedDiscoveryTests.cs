using System.Text.Json.Nodes;
using Skiff.ApiServer.Aggregation;
using Xunit;

namespace Skiff.ApiServer.Tests.Aggregation;

/// <summary>A backend's legacy APIResourceList in aggregated discovery's shape, and the X-Remote-Extra key escaping.</summary>
public sealed class MergedDiscoveryTests
{
    [Fact]
    public void AggregatedResources_FoldsSubresourcesIntoTheirParents()
    {
        var list = (JsonObject)JsonNode.Parse("""
            {"kind":"APIResourceList","groupVersion":"wardle.example.com/v1alpha1","resources":[
              {"name":"flunders","singularName":"flunder","namespaced":true,"kind":"Flunder","verbs":["get","list"],"shortNames":["fl"]},
              {"name":"flunders/status","singularName":"","namespaced":true,"kind":"Flunder","verbs":["get","patch"]},
              {"name":"fischers","singularName":"","namespaced":false,"kind":"Fischer","verbs":["get"]}]}
            """)!;

        var resources = MergedDiscovery.AggregatedResources("wardle.example.com", "v1alpha1", list);

        Assert.Equal(2, resources.Count);
        var flunders = resources[0]!;
        Assert.Equal("flunders", flunders["resource"]!.GetValue<string>());
        Assert.Equal("Namespaced", flunders["scope"]!.GetValue<string>());
        Assert.Equal("Flunder", flunders["responseKind"]!["kind"]!.GetValue<string>());
        Assert.Equal("wardle.example.com", flunders["responseKind"]!["group"]!.GetValue<string>());
        Assert.Equal("fl", flunders["shortNames"]![0]!.GetValue<string>());
        Assert.Equal("status", flunders["subresources"]![0]!["subresource"]!.GetValue<string>());
        Assert.Equal("Cluster", resources[1]!["scope"]!.GetValue<string>());
        Assert.Equal("fischer", resources[1]!["singularResource"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("scopes", "scopes")]
    [InlineData("acme.com/project", "acme.com%2Fproject")]
    [InlineData("100%", "100%25")]
    [InlineData("a b", "a%20b")]
    public void ExtraKeys_AreEscapedAsUpstreamsHeaderKeyEscape(string key, string escaped) =>
        Assert.Equal(escaped, AggregationProxy.EscapeKey(key));
}
