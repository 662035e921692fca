using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Printing;

public class CellsTests
{
    [Fact]
    public void SelectorString_MatchLabelsAndExpressions_SortedByKeyLikeUpstream()
    {
        var selector = JsonNode.Parse("""
            {"matchLabels":{"b":"2","a":"1"},
             "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},{"key":"gone","operator":"DoesNotExist"},{"key":"c","operator":"Exists"}]}
            """);
        Assert.Equal("a=1,b=2,c,env in (dev,prod),!gone", Cells.SelectorString(selector));
    }

    [Fact]
    public void Selector_EmptyOrMissing_IsNone()
    {
        Assert.Equal("<none>", Cells.Selector(null));
        Assert.Equal("<none>", Cells.Selector(new JsonObject()));
        Assert.Equal("", Cells.SelectorString(new JsonObject()));
    }

    [Fact]
    public void Labels_SortedPairs_OrNone()
    {
        Assert.Equal("app=web,tier=fe", Cells.Labels(JsonNode.Parse("""{"tier":"fe","app":"web"}""")));
        Assert.Equal("<none>", Cells.Labels(null));
    }

    [Fact]
    public void Containers_NamesAndImagesCommaJoined()
    {
        var (names, images) = Cells.Containers(JsonNode.Parse("""[{"name":"a","image":"nginx"},{"name":"b","image":"busybox:1"}]"""));
        Assert.Equal("a,b", names);
        Assert.Equal("nginx,busybox:1", images);
    }
}
