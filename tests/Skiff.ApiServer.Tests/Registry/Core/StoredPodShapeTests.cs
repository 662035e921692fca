using System.Text;
using Skiff.ApiServer.Registry.Core;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class StoredPodShapeTests
{
    [Fact]
    public void Read_UnboundPod_OffsetsOfSpecAndStatusEnds()
    {
        const string json = """{"metadata":{"name":"p"},"spec":{"containers":[]},"status":{"phase":"Pending"}}""";
        var shape = StoredPodShape.Read(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(shape);
        var s = shape.Value;
        Assert.Equal(json.IndexOf("}", json.IndexOf("\"spec\"", StringComparison.Ordinal), StringComparison.Ordinal), s.SpecEnd);
        Assert.Equal(json.Length - 2, s.StatusEnd);
        Assert.False(s.SpecEmpty);
        Assert.False(s.BeingDeleted);
        Assert.Null(s.AssignedNode);
        Assert.Null(s.NodeNameValue);
        Assert.Null(s.ConditionsEnd);
        Assert.Equal(ConditionState.Absent, s.PodScheduled);
    }

    [Fact]
    public void Read_BoundDeletingScheduled_ReportsEach()
    {
        const string json = """{"metadata":{"name":"p","deletionTimestamp":"2025-01-01T00:00:00Z"},"spec":{"nodeName":"n\u00f6"},"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}}""";
        var s = StoredPodShape.Read(Encoding.UTF8.GetBytes(json))!.Value;
        Assert.True(s.BeingDeleted);
        Assert.Equal("nö", s.AssignedNode);
        Assert.Equal(ConditionState.True, s.PodScheduled);
        Assert.False(s.ConditionsEmpty);
        Assert.Equal(json.LastIndexOf(']'), s.ConditionsEnd);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"p"},"status":{}}""")]
    [InlineData("""{"metadata":{"name":"p"},"spec":null,"status":{}}""")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{}}""")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{},"status":{"conditions":null}}""")]
    [InlineData("""[]""")]
    public void Read_ShapesItCannotSplice_Null(string json)
    {
        Assert.Null(StoredPodShape.Read(Encoding.UTF8.GetBytes(json)));
    }
}
