using System.Text.Json.Nodes;
using Skiff.Api.Serialization;
using Xunit;

namespace Skiff.Api.Tests.Serialization;

public sealed class DetachedPropertyTests
{
    [Fact]
    public void Take_RemovesTheProperty_AndRestorePutsItBackAtItsPosition()
    {
        var obj = JsonNode.Parse("""{"a":1,"status":{"x":2},"c":3}""")!.AsObject();
        var detached = DetachedProperty.Take(obj, "status");
        Assert.Equal("""{"a":1,"c":3}""", obj.ToJsonString());
        detached.Restore();
        Assert.Equal("""{"a":1,"status":{"x":2},"c":3}""", obj.ToJsonString());
    }

    [Fact]
    public void Take_OfAnAbsentPropertyOrObject_RestoresNothing()
    {
        var obj = JsonNode.Parse("""{"a":1}""")!.AsObject();
        DetachedProperty.Take(obj, "status").Restore();
        DetachedProperty.Take(null, "status").Restore();
        default(DetachedProperty).Restore();
        Assert.Equal("""{"a":1}""", obj.ToJsonString());
    }
}
