using System.Text.Json.Nodes;
using Skiff.Api.Internal;
using Xunit;

namespace Skiff.Api.Tests.Patch;

public class GoValueFormatTests
{
    [Theory]
    [InlineData(80, "80")]
    [InlineData(1.5, "1.5")]
    [InlineData(123456, "123456")]
    [InlineData(1000000, "1e+06")]
    [InlineData(123456789, "1.23456789e+08")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5, "-2.5")]
    public void FormatFloat_LikeGoPercentV(double d, string expected) => Assert.Equal(expected, GoValueFormat.FormatFloat(d));

    [Fact]
    public void Format_MapsSortedAndNested() =>
        Assert.Equal("map[a:[1 x] b:map[c:<nil>]]", GoValueFormat.Format(JsonNode.Parse("""{"b":{"c":null},"a":[1,"x"]}""")));
}
